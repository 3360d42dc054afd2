// Cluster runs without a cluster: balanced shards for any N merging to the
// single-process result, an empty shard refused at start, --shard auto from the
// launchers' variables, default --jobs from the affinity mask and SLURM_CPUS_PER_TASK,
// and a shard's checkpoint resumed. (The real Slurm and mpirun: scripts/cluster-test.sh.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "models/scenario_parser.h"
#include "sim/runner.h"
#include "cli_harness.h"

using namespace cli_harness;
namespace fs = std::filesystem;

namespace {

// Runs N shards and the merge, the shard files given out of order (shard k·stride mod N
// k-th: the merge folds complete parts of the tree as they arrive); returns the trials
// each shard reported.
std::vector<std::uint64_t> run_shards(const TempDir& tmp, const std::string& common, int n, const std::string& merged, int stride = 1) {
  std::vector<std::uint64_t> trials;
  std::vector<std::string> outs(n);
  for (int i = 0; i < n; ++i) {
    const std::string out = tmp / ("shard-" + std::to_string(i) + ".json");
    Result r = run_drsim(common + " --jobs 1 --shard " + std::to_string(i) + "/" + std::to_string(n) + " --out " + out, tmp);
    REQUIRE(r.code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex(R"(: (\d+) trials)")));
    trials.push_back(std::stoull(m[1]));
    outs[i] = out;
  }
  std::string files;
  for (int k = 0; k < n; ++k) files += " " + outs[k * stride % n];
  REQUIRE(run_drsim("merge " + tmp / "v1.json" + files + " -q --out " + merged, tmp).code == 0);
  for (int i = 0; i < n; ++i) fs::remove(tmp / ("shard-" + std::to_string(i) + ".json"));
  return trials;
}

}  // namespace

TEST_CASE("shards are balanced for any N and merge to the single-process result", "[shards][cluster]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  // 200 blocks of 10 (one superblock), and 2400 blocks of 5 (three superblocks, two levels).
  for (const std::string opts : {"--trials 2000 --block 10", "--trials 12000 --block 5"}) {
    const std::string common = "run " + v1 + " " + opts + " --seed 21";  // shards print their trial count
    REQUIRE(run_drsim(common + " -q --jobs 2 --out " + (tmp / "single.json"), tmp).code == 0);
    const std::string single = without_timing(slurp(tmp / "single.json")).dump();
    for (auto [n, stride] : {std::pair(3, 1), std::pair(4, 3), std::pair(7, 3)}) {
      INFO(opts << ", " << n << " shards given in the order k·" << stride << " mod " << n);
      auto t = run_shards(tmp, common, n, tmp / "merged.json", stride);
      const auto [lo, hi] = std::minmax_element(t.begin(), t.end());
      CHECK(*lo > 0);
      CHECK(*hi - *lo <= 10);  // within one block
      CHECK(without_timing(slurp(tmp / "merged.json")).dump() == single);
    }
  }
}

TEST_CASE("a shard that would be empty is refused at start with the numbers", "[shards][cluster]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  Result r = run_drsim("run " + v1 + " --trials 200 --shard 0/4 --out " + (tmp / "s.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("shard 0/4 would run no trials: 200 trials in blocks of 100 make 2 blocks, fewer than 4 shards "
                   "(hint: at most 2 shards, or a smaller --block)") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "s.json"));
  // 20,000 trials over 4 shards: every shard runs 5,000.
  for (int i = 0; i < 4; ++i) {
    Result s = run_drsim("run " + v1 + " --trials 20000 --block 100 --jobs 1 --shard " + std::to_string(i) + "/4 --out " + (tmp / "s.json"), tmp);
    REQUIRE(s.code == 0);
    CHECK(s.out.find(": 5000 trials") != std::string::npos);
  }
}

TEST_CASE("shard auto (--shard auto) reads Slurm arrays, srun and OpenMPI, and says which", "[shards][cluster]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string clean = "env -u OMPI_COMM_WORLD_RANK -u OMPI_COMM_WORLD_SIZE -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN "
                            "-u SLURM_ARRAY_TASK_COUNT -u SLURM_ARRAY_TASK_STEP -u SLURM_PROCID -u SLURM_NTASKS ";
  const std::string run = "run " + v1 + " --trials 400 --jobs 1 --shard auto --out " + (tmp / "shard-%r.json");
  Result a = run_drsim(run, tmp, clean + "SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_COUNT=2 ");
  CHECK(a.code == 0);
  CHECK(a.err.find("--shard auto: shard 1/2 from the Slurm job array (SLURM_ARRAY_TASK_ID=5, SLURM_ARRAY_TASK_MIN=4, SLURM_ARRAY_TASK_COUNT=2)") !=
        std::string::npos);
  CHECK(fs::exists(tmp / "shard-1.json"));
  Result s = run_drsim(run, tmp, clean + "SLURM_PROCID=2 SLURM_NTASKS=3 ");
  CHECK(s.code == 0);
  CHECK(s.err.find("shard 2/3 from srun (SLURM_PROCID=2 of SLURM_NTASKS=3)") != std::string::npos);
  Result o = run_drsim(run, tmp, clean + "SLURM_PROCID=0 SLURM_NTASKS=1 OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=4 ");
  CHECK(o.code == 0);
  CHECK(o.err.find("shard 1/4 from OpenMPI (OMPI_COMM_WORLD_RANK=1 of OMPI_COMM_WORLD_SIZE=4)") != std::string::npos);
  Result none = run_drsim(run, tmp, clean);
  CHECK(none.code == 2);
  CHECK(none.err.find("not started by mpirun, srun or a Slurm job array") != std::string::npos);
  Result step = run_drsim(run, tmp, clean + "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_STEP=2 ");
  CHECK(step.code == 2);
  CHECK(step.err.find("steps by 2") != std::string::npos);
  Result bad = run_drsim(run, tmp, clean + "SLURM_PROCID=3 SLURM_NTASKS=3 ");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("does not exist") != std::string::npos);
}

TEST_CASE("default --jobs: the affinity mask, or SLURM_CPUS_PER_TASK", "[shards][cluster]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string run = "run " + v1 + " --trials 2000 -q --out " + (tmp / "r.json");
  REQUIRE(run_drsim(run, tmp, "env -u SLURM_CPUS_PER_TASK taskset -c 0 ").code == 0);
  CHECK(nlohmann::json::parse(slurp(tmp / "r.json"))["timing"]["jobs"] == 1);
  REQUIRE(run_drsim(run, tmp, "SLURM_CPUS_PER_TASK=3 ").code == 0);
  CHECK(nlohmann::json::parse(slurp(tmp / "r.json"))["timing"]["jobs"] == 3);
}

TEST_CASE("a shard's checkpoint resumes to the uninterrupted shard file", "[shards][cluster]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string common = "run " + v1 + " --trials 12000 --block 5 --seed 4 -q --jobs 1 --shard 1/3";
  REQUIRE(run_drsim(common + " --out " + (tmp / "plain.json"), tmp).code == 0);
  // The final checkpoint of the same shard (the library keeps it with finish_outputs = false).
  drsim::Diagnostics d(tmp / "v1.json");
  auto sc = drsim::load_scenario(tmp / "v1.json", d);
  REQUIRE(sc);
  drsim::RunOptions o;
  o.trials = 12000;
  o.block = 5;
  o.seed = 4;
  o.jobs = 1;
  o.shard_index = 1;
  o.shard_count = 3;
  o.checkpoint = tmp / "s.ckpt";
  o.finish_outputs = false;
  REQUIRE_FALSE(drsim::run_monte_carlo(*sc, o).interrupted);
  REQUIRE(fs::exists(tmp / "s.ckpt"));
  const auto ck = nlohmann::json::parse(slurp(tmp / "s.ckpt"));
  CHECK(ck["version"] == 4);
  CHECK(ck["nodes"].size() > 1);  // blocks of the first superblock it shares, then a whole superblock
  Result r = run_drsim(common + " --checkpoint " + (tmp / "s.ckpt") + " --resume --out " + (tmp / "resumed.json"), tmp);
  REQUIRE(r.code == 0);
  auto strip = [](std::string t) {
    auto j = nlohmann::json::parse(t);
    j.erase("timing");
    j.erase("sha256");
    return j.dump();
  };
  CHECK(strip(slurp(tmp / "resumed.json")) == strip(slurp(tmp / "plain.json")));
  CHECK_FALSE(fs::exists(tmp / "s.ckpt"));
}

// The drsim program, run as a user would: help that teaches, exit codes, nothing
// written on bad input, results.json identical whatever --jobs, and a run stopped by
// SIGTERM and resumed that ends exactly like an uninterrupted one.
#include <catch2/catch.hpp>

#include "tests/cli_harness.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using namespace cli_harness;

Result drsim(const std::string& args, const TempDir& tmp) { return run_drsim(args, tmp); }

}  // namespace

TEST_CASE("help teaches: every command explains its options with defaults and examples", "[cli]") {
  TempDir tmp;
  Result top = drsim("--help", tmp);
  CHECK(top.code == 0);
  for (const char* cmd : {"validate", "describe", "drill", "run", "compare", "analyze", "rare", "merge"}) {
    INFO(cmd);
    CHECK(top.out.find(std::string("  ") + cmd) != std::string::npos);
    Result h = drsim(std::string(cmd) + " --help", tmp);
    CHECK(h.code == 0);
    CHECK(h.out.find("usage: drsim " + std::string(cmd)) != std::string::npos);
    CHECK(h.out.find("example") != std::string::npos);
  }
  CHECK(drsim("run --help", tmp).out.find("(=10000)") != std::string::npos);
}

TEST_CASE("usage errors exit 2 with a hint", "[cli]") {
  TempDir tmp;
  Result r = drsim("frobnicate", tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("unknown command") != std::string::npos);
  r = drsim("run --trails 5 x.json", tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("drsim run --help") != std::string::npos);
  r = drsim("run", tmp);
  CHECK(r.code == 2);
  CHECK(drsim("", tmp).code == 2);
}

TEST_CASE("bad input: file, pointer, hint, exit 2 and nothing written", "[cli]") {
  TempDir tmp;
  std::string bad = kSource + "/tests/bad/08-misspelt-distribution.json";
  Result r = drsim("validate " + bad, tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find(bad + ":/components/0/failures/0/ttf/dist (dc1/sw-a): error: unknown distribution") != std::string::npos);
  CHECK(r.err.find("hint:") != std::string::npos);
  r = drsim("run " + bad + " --trials 10 --out " + (tmp / "results.json") + " --trials-csv " + (tmp / "t.csv"), tmp);
  CHECK(r.code == 2);
  CHECK_FALSE(fs::exists(tmp / "results.json"));
  CHECK_FALSE(fs::exists(tmp / "t.csv"));
  CHECK_FALSE(fs::exists(tmp / "t.csv.partial"));
  r = drsim("drill " + bad, tmp);
  CHECK(r.code == 2);
  r = drsim("run " + (tmp / "missing.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("missing.json") != std::string::npos);
  std::string v1 = write(tmp, "v1.json", kV1);
  CHECK(drsim("run " + v1 + " --trials 0", tmp).code == 2);
  CHECK(drsim("run " + v1 + " --horizon 3 --trials 5", tmp).code == 2);
  CHECK(drsim("run " + v1 + " --engine warp --trials 5", tmp).code == 2);
  CHECK(drsim("drill " + v1, tmp).err.find("no \"injections\"") != std::string::npos);
}

TEST_CASE("results.json is the same whatever --jobs", "[cli][determinism]") {
  TempDir tmp;
  std::string v1 = write(tmp, "v1.json", kV1);
  nlohmann::json ref;
  for (int jobs : {1, 2, 4}) {
    std::string out = tmp / ("r" + std::to_string(jobs) + ".json");
    Result r = drsim("run " + v1 + " --trials 3000 --seed 42 -q --jobs " + std::to_string(jobs) + " --out " + out +
                         " --trials-csv " + (tmp / ("t" + std::to_string(jobs) + ".csv")),
                     tmp);
    REQUIRE(r.code == 0);
    auto j = without_timing(slurp(out));
    if (jobs == 1) ref = j;
    else CHECK(j.dump() == ref.dump());
    CHECK(slurp(tmp / ("t" + std::to_string(jobs) + ".csv")) == slurp(tmp / "t1.csv"));
  }
  CHECK(ref["trials"] == 3000);
  CHECK(ref.contains("downtime_minutes"));
  // Another seed gives another answer.
  REQUIRE(drsim("run " + v1 + " --trials 3000 --seed 43 -q --out " + (tmp / "s43.json"), tmp).code == 0);
  CHECK(without_timing(slurp(tmp / "s43.json"))["downtime_minutes"] != ref["downtime_minutes"]);
}

TEST_CASE("a run stopped by SIGTERM and resumed equals an uninterrupted run", "[cli][checkpoint]") {
  TempDir tmp;
  std::string v1 = write(tmp, "v1.json", kV1);
  const std::string common = "run " + v1 + " --trials 250000 --seed 9 -q --jobs 2 --block 200";
  REQUIRE(drsim(common + " --out " + (tmp / "full.json"), tmp).code == 0);

  // Start the same run with a checkpoint, stop it with SIGTERM part-way.
  std::string ckpt = tmp / "run.ckpt", out = tmp / "resumed.json";
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string cmd = kDrsim + " " + common + " --checkpoint " + ckpt + " --out " + out + " 2>" + (tmp / "err1");
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  REQUIRE(WIFEXITED(st));
  if (WEXITSTATUS(st) == 0) {
    WARN("the run finished before SIGTERM arrived; the machine is faster than this test assumes");
    return;
  }
  CHECK(WEXITSTATUS(st) == 143);
  CHECK(slurp(tmp / "err1").find("--resume") != std::string::npos);
  CHECK(fs::exists(ckpt));
  CHECK_FALSE(fs::exists(out));

  // A checkpoint is refused for another seed.
  Result other = drsim("run " + v1 + " --trials 250000 --seed 10 -q --jobs 2 --block 200 --checkpoint " + ckpt + " --resume", tmp);
  CHECK(other.code == 2);
  CHECK(other.err.find("seed") != std::string::npos);

  Result r = drsim(common + " --checkpoint " + ckpt + " --resume --out " + out, tmp);
  REQUIRE(r.code == 0);
  CHECK(without_timing(slurp(out)).dump() == without_timing(slurp(tmp / "full.json")).dump());
}

TEST_CASE("shards merged equal one process; a missing or repeated shard is refused", "[cli][shards]") {
  TempDir tmp;
  std::string v1 = write(tmp, "v1.json", kV1);
  // 2,400 blocks of 5 trials: three superblocks, dealt to two shards.
  const std::string common = "run " + v1 + " --trials 12000 --block 5 --seed 21 -q";
  REQUIRE(drsim(common + " --jobs 2 --out " + (tmp / "single.json"), tmp).code == 0);
  for (int i = 0; i < 2; ++i)
    REQUIRE(drsim(common + " --jobs 1 --shard " + std::to_string(i) + "/2 --out " + (tmp / "shard-%r.json"), tmp).code == 0);
  Result m = drsim("merge " + v1 + " " + (tmp / "shard-0.json") + " " + (tmp / "shard-1.json") + " -q --out " + (tmp / "merged.json"), tmp);
  REQUIRE(m.code == 0);
  CHECK(without_timing(slurp(tmp / "merged.json")).dump() == without_timing(slurp(tmp / "single.json")).dump());
  Result missing = drsim("merge " + v1 + " " + (tmp / "shard-0.json") + " --out " + (tmp / "bad.json"), tmp);
  CHECK(missing.code == 2);
  CHECK(missing.err.find("shard 1/2 is missing") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "bad.json"));
  Result twice = drsim("merge " + v1 + " " + (tmp / "shard-0.json") + " " + (tmp / "shard-0.json"), tmp);
  CHECK(twice.code == 2);
  CHECK(twice.err.find("given twice") != std::string::npos);
  CHECK(drsim(common + " --shard 2/2 --out " + (tmp / "x.json"), tmp).code == 2);
  CHECK(drsim(common + " --shard 0/2", tmp).code == 2);
}

TEST_CASE("run --engine simgrid gives the fast engine's statistics, plus platform metrics", "[cli][engines]") {
  TempDir tmp;
  std::string v1 = write(tmp, "v1.json", kV1);
#ifndef DRSIM_HAVE_SIMGRID
  WARN("built without SimGrid");
  return;
#endif
  const std::string common = "run " + v1 + " --trials 40 --horizon 30d --seed 5 -q --jobs 2";
  REQUIRE(drsim(common + " --out " + (tmp / "fast.json"), tmp).code == 0);
  REQUIRE(drsim(common + " --engine simgrid --out " + (tmp / "sg.json"), tmp).code == 0);
  auto a = without_timing(slurp(tmp / "fast.json")), b = without_timing(slurp(tmp / "sg.json"));
  CHECK(b.contains("platform"));
  CHECK(b["platform"]["trials"] == 40);
  for (auto* j : {&a, &b})
    for (const char* k : {"engine", "options", "platform"}) j->erase(k);
  CHECK(a.dump() == b.dump());
  CHECK(drsim(common + " --engine simgrid --checkpoint " + (tmp / "c"), tmp).code == 2);
}

TEST_CASE("drsim loads no SimGrid; --engine simgrid runs in drsim-simgrid beside it, or says it is missing", "[cli][engines][startup]") {
#ifndef DRSIM_HAVE_SIMGRID
  WARN("built without SimGrid");
  return;
#endif
  TempDir tmp;
  // The fast path's program does not even link SimGrid or ns-3 (issue 14: start-up).
  REQUIRE(std::system(("ldd " + kDrsim + " > " + tmp / "ldd.txt").c_str()) == 0);
  const std::string libs = slurp(tmp / "ldd.txt");
  CHECK(libs.find("libsimgrid") == std::string::npos);
  CHECK(libs.find("libns3") == std::string::npos);
  CHECK(libs.find("libboost_program_options") != std::string::npos);  // ldd did list drsim's libraries
  // Asked for SimGrid, it hands over to drsim-simgrid with the same arguments: the
  // results say engine simgrid and carry the command line as typed.
  std::string v1 = write(tmp, "v1.json", kV1);
  auto r = run_drsim("run " + v1 + " --trials 3 --horizon 30d --engine simgrid -q --out " + tmp / "sg.json", tmp);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(slurp(tmp / "sg.json"));
  CHECK(j["engine"] == "simgrid");
  CHECK(j.contains("platform"));
  CHECK(j["timing"]["command_line"].get<std::string>().rfind("drsim run ", 0) == 0);
  // A drsim without its helper beside it: exit 2, the path it looked for, nothing written.
  const std::string lone = tmp / "lone";
  std::filesystem::create_directory(lone);
  std::filesystem::copy_file(kDrsim, lone + "/drsim");
  const std::string cmd = lone + "/drsim run " + v1 + " --trials 3 --engine simgrid --out " + tmp / "no.json" + " 2> " + tmp / "err.txt";
  const int st = std::system(cmd.c_str());
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 2);
  CHECK(slurp(tmp / "err.txt").find("needs " + lone + "/drsim-simgrid") != std::string::npos);
  CHECK(!std::filesystem::exists(tmp / "no.json"));
}

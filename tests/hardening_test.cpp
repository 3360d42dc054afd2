// Hardening (issue 12): drsim run as a hostile user and a flaky machine would — outputs
// naming inputs, damaged checkpoints and shard files, full disks, absurd numbers,
// signals and SIGKILL at random points. Each case: exit code, message, nothing lost.
// Tag [hardening]; the fast ones also [sanitize] (scripts/sanitize.sh runs those).
#include <catch2/catch.hpp>

#include "tests/cli_harness.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/scenario_parser.h"
#include "models/sha256.h"
#include "sim/runner.h"

namespace fs = std::filesystem;

namespace {

using namespace cli_harness;

pid_t spawn(const std::string& cmd) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

TEST_CASE("no output path may name an input; every output is checked before the run", "[hardening][sanitize]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string before = slurp(v1);
  for (const std::string opt : {"--checkpoint", "--trials-csv", "--out"}) {
    INFO(opt);
    Result r = run_drsim("run " + v1 + " --trials 300 -q " + opt + " " + v1, tmp);
    CHECK(r.code == 2);
    CHECK(r.err.find("is the input file") != std::string::npos);
    CHECK(slurp(v1) == before);
  }
  // The same file by another name (a hard link) is the same input.
  fs::create_hard_link(v1, tmp / "alias.json");
  CHECK(run_drsim("run " + v1 + " --trials 300 -q --checkpoint " + (tmp / "alias.json"), tmp).code == 2);
  CHECK(slurp(v1) == before);
  // Outputs checked before anything runs: a missing directory, a directory, a device.
  Result r = run_drsim("run " + v1 + " --trials 300 -q --checkpoint " + (tmp / "ck") + " --out " + (tmp / "missing/r.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("does not exist") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "ck"));
  CHECK(run_drsim("run " + v1 + " --trials 300 -q --out " + tmp.path.string(), tmp).code == 2);
  CHECK(run_drsim("run " + v1 + " --trials 300 -q --out /dev/null", tmp).code == 2);
  CHECK(run_drsim("run " + v1 + " --trials 300 -q --out " + (tmp / "a") + " --trials-csv " + (tmp / "a"), tmp).code == 2);
  CHECK(run_drsim("drill " + v1 + " --json " + v1, tmp).code == 2);
  CHECK(run_drsim("compare " + v1 + " --against " + v1 + " --json " + v1, tmp).code == 2);
  CHECK(slurp(v1) == before);
  // An existing file that is not a checkpoint is never overwritten; an existing
  // checkpoint is continued only with --resume.
  const std::string mine = write(tmp, "notes.txt", "my notes\n");
  r = run_drsim("run " + v1 + " --trials 300 -q --checkpoint " + mine, tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("not a drsim checkpoint") != std::string::npos);
  CHECK(slurp(mine) == "my notes\n");
  CHECK(run_drsim("merge " + v1 + " " + mine + " --out " + mine, tmp).code == 2);
  CHECK(slurp(mine) == "my notes\n");
}

namespace {

// A completed run's final checkpoint (the library leaves it when the caller settles
// the outputs), for the damage cases.
std::string make_checkpoint(const TempDir& tmp, const std::string& v1, const std::string& name, std::uint64_t trials) {
  drsim::Diagnostics d(v1);
  auto sc = drsim::load_scenario(v1, d);
  REQUIRE(sc);
  drsim::RunOptions o;
  o.trials = trials;
  o.block = 50;
  o.seed = 3;
  o.jobs = 2;
  o.checkpoint = tmp / name;
  o.finish_outputs = false;
  auto out = drsim::run_monte_carlo(*sc, o);
  REQUIRE_FALSE(out.interrupted);
  REQUIRE(fs::exists(o.checkpoint));
  return o.checkpoint;
}

}  // namespace

TEST_CASE("damaged checkpoints are refused with exit 2 and kept; intact ones resume", "[hardening][sanitize]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string common = "run " + v1 + " --trials 2000 --block 50 --seed 3 -q --jobs 2";
  REQUIRE(run_drsim(common + " --out " + (tmp / "full.json"), tmp).code == 0);
  const std::string ck = make_checkpoint(tmp, v1, "ck", 2000);
  const std::string good = slurp(ck);

  // Resuming a final checkpoint only writes the results: those of the uninterrupted run.
  Result r = run_drsim(common + " --checkpoint " + ck + " --resume --out " + (tmp / "resumed.json"), tmp);
  REQUIRE(r.code == 0);
  CHECK(without_timing(slurp(tmp / "resumed.json")) == without_timing(slurp(tmp / "full.json")));
  CHECK_FALSE(fs::exists(ck));

  auto try_damaged = [&](const std::string& text, const std::string& expect) {
    write(tmp, "ck", text);
    Result d = run_drsim(common + " --checkpoint " + ck + " --resume --out " + (tmp / "d.json"), tmp);
    CHECK(d.code == 2);
    CHECK(d.err.find(expect) != std::string::npos);
    CHECK(slurp(ck) == text);  // left as it was
    CHECK_FALSE(fs::exists(tmp / "d.json"));
  };
  // A bit flipped in a sum: the checksum catches it.
  {
    std::string t = good;
    auto p = t.find("\"x\":[");
    REQUIRE(p != std::string::npos);
    t[p + 5] = t[p + 5] == '1' ? '2' : '1';
    try_damaged(t, "SHA-256");
  }
  try_damaged(good.substr(0, good.size() / 2), "damaged");
  try_damaged("", "damaged");
  // Inconsistent content with a valid checksum (a buggy or hostile writer): every field
  // is validated before use.
  auto reseal = [&](auto edit) {
    auto j = nlohmann::json::parse(good);
    edit(j);
    return drsim::seal_json(j);
  };
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["downtime"]["values"].erase(0); }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["c_sum"].push_back(1.0); }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["c_cross"] = nlohmann::json::array(); }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["outage"]["hist"]["bins"] = nlohmann::json::array(); }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["counts"][0] = 1999; }), "damaged");
  try_damaged(reseal([](auto& j) { j["blocks_done"] = 39; }), "damaged");
  try_damaged(reseal([](auto& j) { j["blocks_done"] = 1000000; }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["downtime"]["stats"][2] = -1.0; }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["config"][3] = 7; }), "damaged");
  try_damaged(reseal([](auto& j) { j["pending"] = 5; }), "damaged");
  try_damaged(reseal([](auto& j) { j["pending"][0] = j["nodes"][0][2]; }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][0] = 0; }), "damaged");
  try_damaged(reseal([](auto& j) { j["identity"]["seed"] = 4; }), "seed");
}

TEST_CASE("damaged shard files are refused with exit 2", "[hardening][sanitize]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string common = "run " + v1 + " --trials 12000 --block 5 --seed 21 -q --jobs 1";
  for (int i = 0; i < 2; ++i)
    REQUIRE(run_drsim(common + " --shard " + std::to_string(i) + "/2 --out " + (tmp / "shard-%r.json"), tmp).code == 0);
  const std::string s0 = tmp / "shard-0.json", s1 = tmp / "shard-1.json";
  REQUIRE(run_drsim("merge " + v1 + " " + s0 + " " + s1 + " -q --out " + (tmp / "m.json"), tmp).code == 0);
  const std::string good = slurp(s1);
  auto try_damaged = [&](const std::string& text, const std::string& expect) {
    write(tmp, "bad.json", text);
    Result r = run_drsim("merge " + v1 + " " + s0 + " " + (tmp / "bad.json") + " -q --out " + (tmp / "x.json"), tmp);
    CHECK(r.code == 2);
    CHECK(r.err.find(expect) != std::string::npos);
    CHECK_FALSE(fs::exists(tmp / "x.json"));
  };
  {
    std::string t = good;
    auto p = t.find("\"x\":[");
    REQUIRE(p != std::string::npos);
    t[p + 5] = t[p + 5] == '1' ? '2' : '1';
    try_damaged(t, "SHA-256");
  }
  auto reseal = [&](auto edit) {
    auto j = nlohmann::json::parse(good);
    edit(j);
    return drsim::seal_json(j);
  };
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["downtime"]["hist"]["bins"] = nlohmann::json::array(); }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["c_sum"] = nlohmann::json::array(); }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][2]["counts"][0] = 1; }), "damaged");
  try_damaged(reseal([](auto& j) { j["nodes"][0][1] = 0; }), "another shard");
  try_damaged(reseal([](auto& j) { j["nodes"][0][0] = 1; }), "another shard");
  try_damaged(reseal([](auto& j) { j["nodes"].erase(5); }), "missing");
  try_damaged(reseal([](auto& j) { j["identity"]["shard"] = {1, 18446744073709551615ull}; }), "shard");
  try_damaged(reseal([](auto& j) { j["nodes"].push_back(j["nodes"][0]); }), "given twice");
}

TEST_CASE("shard inputs that are a FIFO without a writer or a directory are refused at once with exit 2", "[hardening][sanitize]") {
  // Read with a bounded, non-blocking open: a FIFO nobody writes to reads as empty (it
  // hung `drsim merge` and `drsim rare --merge` before), a directory is named as one.
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string fifo = tmp / "shard.fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string rare = fs::absolute("scenarios/designs/rare-two-sites.json").string();
  Result r = run_drsim("merge " + v1 + " " + fifo + " -q --out " + (tmp / "m.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("the shard file " + fifo + " is damaged or not a drsim file (not JSON)") != std::string::npos);
  r = run_drsim("merge " + v1 + " " + tmp.path.string() + " -q --out " + (tmp / "m.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("cannot read the shard file " + tmp.path.string() + ": it is a directory") != std::string::npos);
  r = run_drsim("rare " + rare + " --merge " + fifo + " --json " + (tmp / "r.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find(fifo + ": not a drsim rare shard (not JSON)") != std::string::npos);
  r = run_drsim("rare " + rare + " --merge " + tmp.path.string() + " --json " + (tmp / "r.json"), tmp);
  CHECK(r.code == 2);
  CHECK(r.err.find("it is a directory") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "m.json"));
  CHECK_FALSE(fs::exists(tmp / "r.json"));
}

TEST_CASE("a checkpoint or trials CSV that cannot be written fails the run, says how to resume", "[hardening]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  // A file-size limit stands in for a full disk (writes fail with EFBIG, SIGXFSZ ignored).
  const std::string limit = "trap '' XFSZ; ulimit -f 512; ";  // 256 KiB: the checkpoint outgrows it part-way
  Result r = run_drsim("run " + v1 + " --trials 40000 --block 100 -q --jobs 2 --checkpoint-interval 0 --checkpoint " + (tmp / "ck") +
                       " --out " + (tmp / "r.json"),
                   tmp, limit);
  CHECK(r.code == 1);
  CHECK(r.err.find("cannot write " + (tmp / "ck")) != std::string::npos);
  CHECK((r.err.find("the last good checkpoint") != std::string::npos || r.err.find("start afresh") != std::string::npos));
  CHECK_FALSE(fs::exists(tmp / "r.json"));
  if (fs::exists(tmp / "ck")) {
    // The last good checkpoint resumes to the uninterrupted result.
    REQUIRE(run_drsim("run " + v1 + " --trials 40000 --block 100 -q --jobs 2 --checkpoint " + (tmp / "ck") + " --resume --out " +
                      (tmp / "r.json"),
                  tmp)
                .code == 0);
    REQUIRE(run_drsim("run " + v1 + " --trials 40000 --block 100 -q --jobs 1 --out " + (tmp / "full.json"), tmp).code == 0);
    CHECK(without_timing(slurp(tmp / "r.json")) == without_timing(slurp(tmp / "full.json")));
  }
  // A trials CSV that cannot be written: exit 1, and no CSV left behind.
  r = run_drsim("run " + v1 + " --trials 40000 -q --trials-csv " + (tmp / "t.csv") + " --out " + (tmp / "r2.json"), tmp, limit);
  CHECK(r.code == 1);
  CHECK(r.err.find("cannot write " + (tmp / "t.csv.partial")) != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "t.csv"));
  CHECK_FALSE(fs::exists(tmp / "t.csv.partial"));
  CHECK_FALSE(fs::exists(tmp / "r2.json"));
  // results.json that cannot be written after the run: the checkpoint stays, holding the whole run.
  r = run_drsim("run " + v1 + " --trials 20000 -q --checkpoint " + (tmp / "ck3") + " --out " + (tmp / "r3.json"), tmp,
            "trap '' XFSZ; ulimit -f 4; ");
  CHECK(r.code == 1);
  if (fs::exists(tmp / "ck3")) {
    CHECK(r.err.find("holds the whole run") != std::string::npos);
    CHECK(run_drsim("run " + v1 + " --trials 20000 -q --checkpoint " + (tmp / "ck3") + " --resume --out " + (tmp / "r3.json"), tmp).code == 0);
    CHECK(fs::exists(tmp / "r3.json"));
  }
}

TEST_CASE("numeric options are range-checked: exit 2, the option and the range, nothing written", "[hardening][sanitize]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string out = " --out " + (tmp / "r.json");
  for (const std::string bad :
       {"--trials -1", "--trials 18446744073709551615", "--trials 18446744073709551600", "--trials 1e16", "--trials 1.5",
        "--trials 12abc", "--trials ''", "--seed -1", "--seed 18446744073709551616", "--jobs -1", "--jobs 5000", "--jobs 1e9",
        "--block 0", "--block -5", "--block 1e7", "--target-rel-ci -0.1", "--target-rel-ci 1", "--target-rel-ci nan",
        "--target-rel-ci inf", "--target-rel-ci 0.01 --max-trials 10", "--max-trials -1", "--horizon 0s", "--horizon -1y",
        "--horizon 1e300y", "--horizon nan", "--horizon 1001y", "--checkpoint-interval -1", "--checkpoint-interval nan",
        "--probe-interval 1e-6", "--probe-interval -1", "--probe-interval nan", "--shard -1/4", "--shard 4/4", "--shard 0/0",
        "--shard 0/18446744073709551617", "--shard 1/-2"}) {
    INFO(bad);
    Result r = run_drsim("run " + v1 + " -q " + bad + out, tmp);
    CHECK(r.code == 2);
    CHECK(r.err.find("error:") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp / "r.json"));
  }
  CHECK(run_drsim("run " + v1 + " -q --trials -1", tmp).err.find("negative") != std::string::npos);
  CHECK(run_drsim("run " + v1 + " -q --trials 18446744073709551615", tmp).err.find("1000000000000000") != std::string::npos);
  for (const std::string bad : {"--trials 1", "--trials -1", "--seed -1", "--jobs -1", "--horizon nan"})
    CHECK(run_drsim("compare " + v1 + " --variant x " + bad, tmp).code == 2);
  for (const std::string bad : {"--seed -1", "--trial -1", "--trials -1", "--trials 10000001", "--max-duration 1e300y", "--max-duration nan"})
    CHECK(run_drsim("drill " + v1 + " " + bad, tmp).code == 2);
  // Scientific notation of an exact integer is a count.
  Result ok = run_drsim("run " + v1 + " -q --trials 2e3 --seed 1e1 --jobs 2" + out, tmp);
  CHECK(ok.code == 0);
  CHECK(nlohmann::json::parse(slurp(tmp / "r.json"))["trials"] == 2000);
}

TEST_CASE("a huge trial count runs in bounded memory and stops on SIGTERM within a second", "[hardening]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  // 10^12 trials (it used to die with bad_alloc listing its blocks), blocks of 10^6
  // trials of 1000 years: each block takes minutes, yet SIGTERM must act within a second.
  pid_t pid = spawn(kDrsim + " run " + v1 + " -q --trials 1e12 --block 1000000 --horizon 1000y --jobs 2 --checkpoint " + (tmp / "ck") +
                    " 2>" + (tmp / "err"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  int code = wait_exit(pid);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(code == 143);
  CHECK(s < 1.5);  // a second, plus slack for a loaded machine
  CHECK(slurp(tmp / "err").find("--resume") != std::string::npos);
  CHECK(fs::exists(tmp / "ck"));
}

TEST_CASE("drill bounds what it replays and prints: far injections, dates past year 9999", "[hardening][sanitize]") {
  TempDir tmp;
  auto scenario = [&](const std::string& name, const std::string& start, const std::string& at) {
    return write(tmp, name, std::string(R"({"drsim": 1, "title": "far", )") + start + R"(
      "components": [{"id": "u", "kind": "generic", "failures": [{"id": "hw", "type": "random",
        "ttf": {"dist": "exponential", "mean": "1000h"}, "recovery": {"repair": {"dist": "exponential", "mean": "10h"}}}]}],
      "service": {"requires": "u"}, "injections": [{"at": ")" + at + R"(", "action": "fail", "target": "u"}]})");
  };
  const std::string far = scenario("far.json", "", "1e300y");
  auto t0 = std::chrono::steady_clock::now();
  for (const char* engine : {"fast", "simgrid"}) {
    Result r = run_drsim("drill " + far + " --engine " + engine, tmp);
    CHECK(r.code == 2);
  }
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 20);
  const std::string late = scenario("late.json", R"("start": "9999-06-01T00:00:00+00:00",)", "500y");
  Result r = run_drsim("drill " + late + " --engine fast --point", tmp);
  if (r.code == 0) {
    // Dates past 9999 are shown as offsets from the start, never as a wrapped year.
    CHECK(r.out.find("start +") != std::string::npos);
    CHECK(r.out.find(" -") == std::string::npos);
    CHECK(r.out.find("stayed up") == std::string::npos);
  } else {
    CHECK(r.code == 2);
  }
  CHECK(run_drsim("drill " + late + " --engine simgrid --point", tmp).code == 2);  // 500 y of SimGrid: refused
}

TEST_CASE("run --checkpoint killed with SIGKILL at random points and resumed equals the uninterrupted run", "[hardening][kill]") {
  TempDir tmp;
  const std::string v1 = write(tmp, "v1.json", kV1);
  const std::string common = "run " + v1 + " --trials 150000 --block 200 --seed 17 -q --jobs 2";
  REQUIRE(run_drsim(common + " --out " + (tmp / "full.json") + " --trials-csv " + (tmp / "full.csv"), tmp).code == 0);
  const std::string ck = tmp / "ck", out = tmp / "r.json", csv = tmp / "t.csv";
  std::mt19937 rng(static_cast<unsigned>(::getpid()));
  std::uniform_int_distribution<int> delay_ms(50, 700);
  int kills = 0, code = -1;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const bool resume = fs::exists(ck);
    pid_t pid = spawn(kDrsim + " " + common + " --checkpoint-interval 0.05 --checkpoint " + ck + (resume ? " --resume" : "") +
                      " --out " + out + " --trials-csv " + csv + " 2>>" + (tmp / "err"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(pid, SIGKILL);
    code = wait_exit(pid);
    if (code == 0) break;  // finished before the kill
    REQUIRE(code == 128 + SIGKILL);
    ++kills;
    CHECK_FALSE(fs::exists(out));
  }
  if (code != 0) {
    Result r = run_drsim(common + " --checkpoint " + ck + (fs::exists(ck) ? " --resume" : "") + " --out " + out + " --trials-csv " + csv, tmp);
    INFO(r.err << slurp(tmp / "err"));
    REQUIRE(r.code == 0);
  }
  INFO("killed " << kills << " times");
  CHECK(kills > 0);
  CHECK(without_timing(slurp(out)) == without_timing(slurp(tmp / "full.json")));
  CHECK(slurp(csv) == slurp(tmp / "full.csv"));
  CHECK_FALSE(fs::exists(ck));
}

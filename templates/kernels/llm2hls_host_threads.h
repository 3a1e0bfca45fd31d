// llm2hls threaded host streams (make csim-threads, -DLLM2HLS_HOST_THREADS
// with -DLLM2HLS_HOST_TYPES, -pthread): every dataflow task of the top
// function runs in its own std::thread and every stream is a FIFO bounded to
// the depth the planner chose, as in hardware: write blocks while the FIFO is
// full, read blocks while it is empty. A watchdog declares a deadlock when
// every live task has been blocked on a stream that cannot move (reading an
// empty FIFO, writing a full one) for LLM2HLS_STALL_MS milliseconds (default
// 2000), prints which tasks wait on which streams and which FIFOs are full,
// and exits with status 4. Task and stream names are the sanitized C++ names
// of top.cpp (manifest.json maps tasks to model nodes and lists the depths).
// The HLS tools never see this file.
#ifndef LLM2HLS_HOST_THREADS_H
#define LLM2HLS_HOST_THREADS_H

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include "llm2hls_host.h"

namespace llm2hls {
namespace host {

class stream_base;

/** What a task thread is doing. */
struct task_state {
  enum { running, reading, writing, done };
  std::string name;
  int state = running;
  const stream_base *on = nullptr;
  std::function<void()> body;
};

/** One lock for every threaded stream and task: the watchdog sees a consistent snapshot. */
struct thread_registry {
  std::mutex m;
  std::vector<task_state *> tasks;
  std::vector<stream_base *> streams;
  unsigned long long progress = 0;  // elements moved, over all streams
};

inline thread_registry &registry() {
  static thread_registry r;
  return r;
}

inline task_state *&current_task() {
  thread_local task_state *t = nullptr;
  return t;
}

class stream_base {
 public:
  stream_base() {
    std::lock_guard<std::mutex> lk(registry().m);
    registry().streams.push_back(this);
  }
  virtual ~stream_base() {
    std::lock_guard<std::mutex> lk(registry().m);
    std::vector<stream_base *> &v = registry().streams;
    for (std::size_t i = 0; i < v.size(); i++)
      if (v[i] == this) { v.erase(v.begin() + static_cast<std::ptrdiff_t>(i)); break; }
  }
  stream_base(const stream_base &) = delete;
  stream_base &operator=(const stream_base &) = delete;

  /** Names the stream and bounds it to `depth` elements (0: unbounded, like a top-level port fed by the host). */
  void configure(const char *name, std::size_t depth) {
    std::lock_guard<std::mutex> lk(registry().m);
    name_ = name;
    depth_ = depth;
  }
  const std::string &name() const { return name_; }
  std::size_t depth() const { return depth_; }
  /** Elements held; call with the registry lock held. */
  virtual std::size_t held() const = 0;
  /** True when the blocked operation cannot proceed; call with the registry lock held. */
  bool stuck(int how) const { return how == task_state::reading ? held() == 0 : depth_ > 0 && held() >= depth_; }

 protected:
  /** Waits (registry lock held by `lk`) until the stream changes; records why the task waits. */
  void wait(std::unique_lock<std::mutex> &lk, int how) {
    task_state *t = current_task();
    if (!t) {
      // The testbench thread: it fills the inputs before and drains the outputs after the run.
      std::fprintf(stderr, "llm2hls csim-threads: the testbench %s stream %s, which would block\n",
                   how == task_state::reading ? "read the empty" : "wrote the full", name_.c_str());
      stream_errors()++;
      std::exit(3);
    }
    t->state = how;
    t->on = this;
    cv_.wait(lk);
    t->state = task_state::running;
    t->on = nullptr;
  }
  void moved() {
    registry().progress++;
    cv_.notify_all();
  }

 private:
  std::string name_ = "(unnamed)";
  std::size_t depth_ = 0;
  std::condition_variable cv_;
};

/** A bounded, blocking FIFO shared by one writer task and one reader task. */
template <class T>
class threaded_stream : public stream_base {
 public:
  threaded_stream() {}
  explicit threaded_stream(const char *name) { configure(name, 0); }
  ~threaded_stream() override {
    if (!q_.empty()) {
      std::fprintf(stderr, "llm2hls csim: stream %s was destroyed holding %zu element(s)\n", name().c_str(), q_.size());
      stream_errors()++;
    }
  }
  T read() {
    std::unique_lock<std::mutex> lk(registry().m);
    while (q_.empty()) wait(lk, task_state::reading);
    T v = q_.front();
    q_.pop_front();
    moved();
    return v;
  }
  void read(T &v) { v = read(); }
  void write(const T &v) {
    std::unique_lock<std::mutex> lk(registry().m);
    while (depth() > 0 && q_.size() >= depth()) wait(lk, task_state::writing);
    q_.push_back(v);
    moved();
  }
  bool empty() {
    std::lock_guard<std::mutex> lk(registry().m);
    return q_.empty();
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lk(registry().m);
    return q_.size();
  }
  std::size_t held() const override { return q_.size(); }

 private:
  std::deque<T> q_;
};

/** Runs the tasks of one dataflow region in threads, with the stall watchdog. */
class task_group {
 public:
  task_group() {}
  task_group(const task_group &) = delete;
  task_group &operator=(const task_group &) = delete;
  ~task_group() { join(); }

  template <class F>
  void spawn(const char *name, F body) {
    task_state *t = new task_state();
    t->name = name;
    {
      std::lock_guard<std::mutex> lk(registry().m);
      registry().tasks.push_back(t);
    }
    owned_.push_back(t);
    t->body = body;
    threads_.emplace_back(&task_group::run, t);
  }

  /** Starts the watchdog, waits for every task, and stops the watchdog. */
  void join() {
    if (joined_) return;
    joined_ = true;
    std::thread dog([this]() { watch(); });
    for (std::thread &th : threads_) th.join();
    {
      std::lock_guard<std::mutex> lk(registry().m);
      stop_ = true;
    }
    stop_cv_.notify_all();
    dog.join();
    std::lock_guard<std::mutex> lk(registry().m);
    std::vector<task_state *> &v = registry().tasks;
    for (task_state *t : owned_)
      for (std::size_t i = 0; i < v.size(); i++)
        if (v[i] == t) { v.erase(v.begin() + static_cast<std::ptrdiff_t>(i)); break; }
    for (task_state *t : owned_) delete t;
    owned_.clear();
  }

 private:
  static void run(task_state *t) {
    current_task() = t;
    t->body();
    std::lock_guard<std::mutex> lk(registry().m);
    t->state = task_state::done;
  }

  static long stall_ms() {
    const char *env = std::getenv("LLM2HLS_STALL_MS");
    long ms = env ? std::strtol(env, nullptr, 10) : 0;
    return ms > 0 ? ms : 2000;
  }

  /** Every live task waits on a stream that cannot move (registry lock held). */
  bool all_blocked(std::size_t &live) const {
    live = 0;
    for (const task_state *t : owned_) {
      if (t->state == task_state::done) continue;
      live++;
      if (t->state == task_state::running || !t->on || !t->on->stuck(t->state)) return false;
    }
    return live > 0;
  }

  static const char *fill(const stream_base *s, char *buf, std::size_t n) {
    if (s->depth() > 0) std::snprintf(buf, n, "%zu/%zu", s->held(), s->depth());
    else std::snprintf(buf, n, "%zu/unbounded", s->held());
    return buf;
  }

  void report(std::size_t live, long ms) const {
    char buf[64];
    std::fprintf(stderr, "llm2hls csim-threads: DEADLOCK: all %zu live task(s) blocked for %ld ms with no stream moving\n", live, ms);
    for (const task_state *t : owned_) {
      if (t->state == task_state::done) continue;
      const bool rd = t->state == task_state::reading;
      std::fprintf(stderr, "  task %s blocked %s stream %s: %s (%s)\n", t->name.c_str(), rd ? "reading" : "writing",
                   t->on->name().c_str(), rd ? "empty" : "full", fill(t->on, buf, sizeof buf));
    }
    std::size_t full = 0;
    for (const stream_base *s : registry().streams) {
      if (s->depth() == 0 || s->held() < s->depth()) continue;
      if (!full++) std::fprintf(stderr, "  full streams:");
      std::fprintf(stderr, " %s (%s)", s->name().c_str(), fill(s, buf, sizeof buf));
    }
    if (full) std::fprintf(stderr, "\n");
    std::size_t done = 0;
    for (const task_state *t : owned_) done += t->state == task_state::done ? 1 : 0;
    std::fprintf(stderr, "  %zu task(s) finished; a full stream's depth is too small for the data its branch holds in flight\n", done);
    std::fflush(stderr);
  }

  void watch() {
    using clock = std::chrono::steady_clock;
    const long ms = stall_ms();
    std::unique_lock<std::mutex> lk(registry().m);
    unsigned long long last = registry().progress;
    clock::time_point since = clock::now();
    while (!stop_) {
      stop_cv_.wait_for(lk, std::chrono::milliseconds(ms < 500 ? ms / 5 + 1 : 100));
      if (stop_) break;
      std::size_t live = 0;
      if (registry().progress != last || !all_blocked(live)) {
        last = registry().progress;
        since = clock::now();
        continue;
      }
      if (clock::now() - since >= std::chrono::milliseconds(ms)) {
        report(live, ms);
        std::_Exit(4);
      }
    }
  }

  std::vector<std::thread> threads_;
  std::vector<task_state *> owned_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  bool joined_ = false;
};

}  // namespace host
}  // namespace llm2hls

#endif  // LLM2HLS_HOST_THREADS_H

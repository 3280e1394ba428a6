#include "destroyer.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <deque>
#include <mutex>

#include "env.h"
#include "kaio.h"

namespace destroyer {

namespace {

// Enough threads for every context a busy process closes at once; each
// spends its life in one syscall, so a small stack does.
constexpr unsigned kMaxThreads = 256;
constexpr size_t kStackBytes = 256 * 1024;

struct Queue {
  std::mutex mutex;
  std::deque<RetiredContext*> jobs;
  unsigned threads = 0;
};

// Never freed: threads may still be running when exit() runs static
// destructors.
Queue* TheQueue() {
  static Queue* queue = new Queue();
  return queue;
}

void DestroyOne(RetiredContext* job) {
  kaio::Destroy(job->ctx);
  job->env->Destroyed(job);
}

// Takes jobs until none is left, then ends: no thread idles.
void* Run(void*) {
  Queue* q = TheQueue();
  std::unique_lock<std::mutex> lock(q->mutex);
  while (!q->jobs.empty()) {
    RetiredContext* job = q->jobs.front();
    q->jobs.pop_front();
    lock.unlock();
    DestroyOne(job);
    lock.lock();
  }
  q->threads--;
  return nullptr;
}

// With every signal blocked: a signal for the process must not land on a
// thread that sits in io_destroy, where it would wait until that returns.
bool StartThread() {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, kStackBytes);
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  const bool started = pthread_create(&thread, &attr, Run, nullptr) == 0;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  return started;
}

}  // namespace

void Destroy(RetiredContext* job) {
  Queue* q = TheQueue();
  {
    std::lock_guard<std::mutex> lock(q->mutex);
    q->jobs.push_back(job);
    if (q->threads >= kMaxThreads) return;  // a running thread takes it
    q->threads++;
  }
  if (StartThread()) return;
  std::unique_lock<std::mutex> lock(q->mutex);
  // A running thread takes the job before it ends.
  if (--q->threads > 0) return;
  // No thread can be had and none is running: this one job is destroyed
  // here, on the caller's thread, rather than left with the memory it holds.
  auto queued = std::find(q->jobs.begin(), q->jobs.end(), job);
  if (queued == q->jobs.end()) return;
  q->jobs.erase(queued);
  lock.unlock();
  DestroyOne(job);
}

}  // namespace destroyer

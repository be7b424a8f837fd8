// probe/ordered_workers: results come back in submission order, on the submitting
// thread, whatever order the workers finish in; the window bounds what is in flight.

#include "probe/ordered_workers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

struct counted {
  int value = 0;
};

TEST(OrderedWorkers, DeliversInSubmissionOrderOnTheCallingThread) {
  for (unsigned threads : {1u, 2u, 4u, 8u}) {
    std::vector<int> delivered;
    std::atomic<int> in_flight{0};
    int most_in_flight = 0;
    const auto caller = std::this_thread::get_id();
    bool delivered_elsewhere = false;
    std::mt19937 random(threads);
    std::vector<int> pauses(500);
    for (auto& p : pauses) p = static_cast<int>(random() % 300);  // microseconds: workers finish out of order
    {
      probe::ordered_workers<counted, int> workers(
          threads, 6,
          [&](counted& c) {
            std::this_thread::sleep_for(std::chrono::microseconds(pauses[static_cast<std::size_t>(c.value)]));
            return c.value * 3;
          },
          [&](int&& r) {
            delivered_elsewhere = delivered_elsewhere || std::this_thread::get_id() != caller;
            delivered.push_back(r);
            --in_flight;
          });
      for (int i = 0; i < 500; ++i) {
        most_in_flight = std::max(most_in_flight, ++in_flight);
        workers.submit({i});
      }
      workers.finish();
      workers.finish();  // a second finish is harmless
    }
    ASSERT_EQ(delivered.size(), 500u) << threads;
    for (int i = 0; i < 500; ++i) ASSERT_EQ(delivered[static_cast<std::size_t>(i)], i * 3) << threads;
    EXPECT_FALSE(delivered_elsewhere) << threads;
    EXPECT_LE(most_in_flight, 7) << threads;  // the window (6), plus the one being submitted
  }
}

TEST(OrderedWorkers, TheDestructorDeliversWhatWasSubmitted) {
  std::vector<std::string> delivered;
  {
    probe::ordered_workers<std::string, std::string> workers(
        3, 100, [](std::string& s) { return s + "!"; }, [&](std::string&& r) { delivered.push_back(std::move(r)); });
    for (int i = 0; i < 50; ++i) workers.submit(std::to_string(i));
  }
  ASSERT_EQ(delivered.size(), 50u);
  EXPECT_EQ(delivered.front(), "0!");
  EXPECT_EQ(delivered.back(), "49!");
}

TEST(OrderedWorkers, NothingSubmittedFinishesAtOnce) {
  int calls = 0;
  probe::ordered_workers<int, int> workers(4, 8, [](int& i) { return i; }, [&](int&&) { ++calls; });
  workers.finish();
  EXPECT_EQ(calls, 0);
}

}  // namespace

// TpeSampler over long histories (thousands of trials), where the fast paths
// switch on: single-precision sums, block culling, merged discrete
// components, the sorted store. Mixed spaces, pruned and failed trials,
// running trials with the constant liar, a conditional parameter and a range
// change. Checks that every proposal is valid and that the long history still
// finds the optimum and concentrates proposals near it.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/samplers/tpe_test_util.h"
#include "hypertune/core/tpe_sampler.h"

namespace hypertune {
namespace {

using testing_util::Dist;
using testing_util::MiniStudy;
using testing_util::MiniTrial;

TEST(TpeLongHistoryTest, ThousandsOfTrialsWithEveryFeature) {
  const auto x = Dist(FloatDistribution{-5, 5});
  const auto lr = Dist(FloatDistribution{1e-5, 1, true});
  const auto n = Dist(IntDistribution{1, 100});
  const auto q = Dist(FloatDistribution{0, 1, false, 0.001});
  const auto big = Dist(IntDistribution{0, 100000});
  const auto cat = Dist(CategoricalDistribution{{"a", "b", "c", "d"}});
  const auto depth_old = Dist(IntDistribution{1, 10});
  const auto depth_new = Dist(IntDistribution{1, 20});
  for (bool mv : {false, true}) {
    TpeSampler sampler({.seed = 4, .multivariate = mv, .constant_liar = true});
    MiniStudy s(sampler);
    std::vector<MiniTrial> running;
    double late_near = 0;
    int late = 0;
    const int kTrials = 2500;
    for (int k = 0; k < kTrials; ++k) {
      MiniTrial t = s.Start();
      const double vx = t.Suggest("x", x);
      const double vlr = t.Suggest("lr", lr);
      const double vn = t.Suggest("n", n);
      const double vq = t.Suggest("q", q);
      const double vb = t.Suggest("big", big);
      const double vc = t.Suggest("cat", cat);
      double v = (vx - 1) * (vx - 1) + std::pow(std::log10(vlr) + 3, 2) +
                 0.001 * (vn - 30) * (vn - 30) + (vq - 0.25) * (vq - 0.25) +
                 std::pow((vb - 70000) / 100000, 2) + (vc == 2 ? 0.0 : 0.5);
      if (vc == 0) v += 0.01 * t.Suggest("depth", k < kTrials / 2 ? depth_old : depth_new);
      for (const TrialParam& p : t.frozen().params) {
        ASSERT_TRUE(Contains(*p.distribution, p.internal)) << p.name << " " << p.internal;
      }
      if (k >= kTrials - 200) {
        late_near += std::abs(vx - 1) < 0.5;
        ++late;
      }
      // A few trials stay running a while (the liar sees them), some are
      // pruned with a report, some fail.
      if (k % 50 == 7) {
        running.push_back(std::move(t));
        continue;
      }
      if (k % 13 == 5) {
        t.frozen().intermediate_values = {{static_cast<int64_t>(k % 4), v}};
        s.Finish(t, TrialState::kPruned);
      } else if (k % 29 == 3) {
        s.Finish(t, TrialState::kFail);
      } else {
        s.Finish(t, TrialState::kComplete, {v});
      }
      if (running.size() > 3) {
        s.Finish(running.front(), TrialState::kComplete, {1e3});
        running.erase(running.begin());
      }
    }
    // TPE keeps exploring (its prior component), but far less than uniform
    // draws, of which 10% fall within 0.5 of the optimum.
    EXPECT_GT(late_near / late, 0.18) << "multivariate=" << mv;
    EXPECT_LT(s.BestValue(), 0.05) << "multivariate=" << mv;
  }
}

}  // namespace
}  // namespace hypertune

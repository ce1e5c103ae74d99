#include "hypertune/ml/split.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "hypertune/core/random.h"

namespace hypertune::ml {
namespace {

constexpr size_t kTrain = 0, kValidation = 1, kTest = 2, kUnused = 3;
constexpr std::array<const char*, 3> kPartNames = {"train", "validation", "test"};

// Fisher-Yates on Rng, whose output is fixed across platforms (std::shuffle's
// is not).
template <class T>
void Shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    std::swap(v[i - 1], v[static_cast<size_t>(rng.UniformInt(i))]);
  }
}

// Six significant digits: 0.8 + 0.3 reads "1.1", not "1.1000000000000001".
std::string Ratio(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", x);
  return buf;
}

// Sizes of train, validation, test and the unused rest.
Result<std::array<size_t, 4>> PartCounts(size_t n, const SplitRatios& r) {
  if (!(r.validation >= 0.0 && r.validation < 1.0)) {
    return Status::InvalidArgument("validation ratio " + Ratio(r.validation) + " is not in [0, 1)");
  }
  if (!(r.test >= 0.0 && r.test < 1.0)) {
    return Status::InvalidArgument("test ratio " + Ratio(r.test) + " is not in [0, 1)");
  }
  const double train = r.train < 0.0 ? 1.0 - r.validation - r.test : r.train;
  if (!(train > 0.0 && train <= 1.0)) {
    return Status::InvalidArgument(
        r.train < 0.0 ? "validation + test ratios (" + Ratio(r.validation + r.test) +
                            ") leave no room for training rows"
                      : "train ratio " + Ratio(r.train) + " is not in (0, 1]");
  }
  const std::array<double, 3> ratios = {train, r.validation, r.test};
  const double sum = train + r.validation + r.test;
  if (sum > 1.0 + 1e-9) {
    return Status::InvalidArgument("split ratios sum to " + Ratio(sum) + " (more than 1)");
  }
  if (n == 0) return Status::InvalidArgument("cannot split 0 rows");
  // Largest remainder; exact in long double for any realistic n.
  const auto nd = static_cast<long double>(n);
  auto total = static_cast<size_t>(std::llround(nd * static_cast<long double>(std::min(sum, 1.0))));
  total = std::min(total, n);
  std::array<size_t, 4> counts{};
  std::array<long double, 3> frac{};
  size_t assigned = 0;
  for (size_t p = 0; p < 3; ++p) {
    const long double exact = nd * static_cast<long double>(ratios[p]);
    counts[p] = static_cast<size_t>(std::floor(exact));
    frac[p] = exact - std::floor(exact);
    assigned += counts[p];
  }
  while (assigned < total) {
    size_t best = 3;
    for (size_t p = 0; p < 3; ++p) {
      if (ratios[p] > 0.0 && frac[p] >= 0.0L && (best == 3 || frac[p] > frac[best])) best = p;
    }
    if (best == 3) break;
    ++counts[best];
    frac[best] = -1.0L;
    ++assigned;
  }
  for (size_t p = 0; p < 3; ++p) {
    if (ratios[p] > 0.0 && counts[p] == 0) {
      return Status::InvalidArgument(std::string(kPartNames[p]) + " ratio " + Ratio(ratios[p]) +
                                     " of " + std::to_string(n) + " rows gives no row");
    }
  }
  if (assigned > n) {
    return Status::InvalidArgument("split ratios sum to " + Ratio(sum) + ", which gives " +
                                   std::to_string(assigned) + " of " + std::to_string(n) + " rows");
  }
  counts[kUnused] = n - assigned;
  return counts;
}

// Rounds the table T[c][p] = class_count[c] * part[p] / n to integers, each
// the floor or the ceiling of its entry, keeping every row sum (the class
// counts) and column sum (the part sizes): it always exists (the fractional
// table is a feasible flow), and a max flow finds it. Classes first take the
// largest fractional parts, ties broken by `tie_order`.
std::vector<std::array<size_t, 4>> RoundTable(const std::vector<size_t>& class_count,
                                              const std::array<size_t, 4>& part, size_t n,
                                              const std::vector<size_t>& tie_order) {
  const size_t num_classes = class_count.size();
  std::vector<std::array<size_t, 4>> x(num_classes);
  std::vector<std::array<bool, 4>> fractional(num_classes);
  std::vector<size_t> row_left(num_classes);
  std::array<size_t, 4> col_left = part;
  struct Cell {
    Uint128 remainder;
    size_t rank;
    size_t c, p;
  };
  std::vector<Cell> cells;
  for (size_t c = 0; c < num_classes; ++c) {
    size_t sum = 0;
    for (size_t p = 0; p < 4; ++p) {
      const Uint128 prod = static_cast<Uint128>(class_count[c]) * part[p];
      x[c][p] = static_cast<size_t>(prod / n);
      const Uint128 rem = prod % n;
      fractional[c][p] = rem != 0;
      if (rem != 0) cells.push_back({rem, tie_order[c], c, p});
      sum += x[c][p];
      col_left[p] -= x[c][p];
    }
    row_left[c] = class_count[c] - sum;
  }
  std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    if (a.rank != b.rank) return a.rank < b.rank;
    return a.p < b.p;
  });
  std::vector<std::array<bool, 4>> up(num_classes, {false, false, false, false});
  for (const Cell& cell : cells) {
    if (row_left[cell.c] > 0 && col_left[cell.p] > 0) {
      up[cell.c][cell.p] = true;
      --row_left[cell.c];
      --col_left[cell.p];
    }
  }
  // Augmenting paths for what the greedy pass left: class c (row left) ->
  // part p not yet rounded up -> class c2 rounded up at p -> ... -> a part
  // with room. Breadth-first over classes.
  for (size_t c0 = 0; c0 < num_classes; ++c0) {
    while (row_left[c0] > 0) {
      std::vector<std::pair<size_t, size_t>> from(num_classes, {SIZE_MAX, SIZE_MAX});
      std::vector<size_t> queue = {c0};
      from[c0] = {c0, SIZE_MAX};
      size_t end_class = SIZE_MAX, end_part = SIZE_MAX;
      for (size_t qi = 0; qi < queue.size() && end_part == SIZE_MAX; ++qi) {
        const size_t c = queue[qi];
        for (size_t p = 0; p < 4 && end_part == SIZE_MAX; ++p) {
          if (!fractional[c][p] || up[c][p]) continue;
          if (col_left[p] > 0) {
            end_class = c;
            end_part = p;
            break;
          }
          for (size_t c2 = 0; c2 < num_classes; ++c2) {
            if (up[c2][p] && from[c2].first == SIZE_MAX) {
              from[c2] = {c, p};
              queue.push_back(c2);
            }
          }
        }
      }
      HT_CHECK(end_part != SIZE_MAX) << "stratified split: no rounding found";
      // Flip the path: c takes p; each predecessor hands its part over.
      size_t c = end_class, p = end_part;
      --col_left[p];
      for (;;) {
        up[c][p] = true;
        if (c == c0) break;
        const auto [prev_c, prev_p] = from[c];
        up[c][prev_p] = false;
        c = prev_c;
        p = prev_p;
      }
      --row_left[c0];
    }
  }
  for (size_t c = 0; c < num_classes; ++c) {
    for (size_t p = 0; p < 4; ++p) x[c][p] += up[c][p] ? 1 : 0;
  }
  return x;
}

Status CheckLabels(std::span<const int32_t> labels, size_t* num_classes) {
  int32_t max = -1;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) {
      return Status::InvalidArgument("label " + std::to_string(labels[i]) + " at position " +
                                     std::to_string(i) + " is negative");
    }
    max = std::max(max, labels[i]);
  }
  *num_classes = static_cast<size_t>(max + 1);
  return Status::Ok();
}

// The parts from each row's part number: sorted without sorting, O(n).
TrainValTest FromAssignment(const std::vector<uint8_t>& part_of,
                            const std::array<size_t, 4>& counts) {
  std::array<std::vector<size_t>, 4> parts;
  for (size_t p = 0; p < 3; ++p) parts[p].reserve(counts[p]);
  for (size_t i = 0; i < part_of.size(); ++i) parts[part_of[i]].push_back(i);
  return {std::move(parts[kTrain]), std::move(parts[kValidation]), std::move(parts[kTest])};
}

Status CheckK(int k, size_t n) {
  if (k < 2) return Status::InvalidArgument("k-fold needs k >= 2, got " + std::to_string(k));
  if (static_cast<size_t>(k) > n) {
    return Status::InvalidArgument(std::to_string(k) + "-fold needs at least " + std::to_string(k) +
                                   " rows, got " + std::to_string(n));
  }
  return Status::Ok();
}

std::vector<Fold> FoldsFromAssignment(const std::vector<int>& fold_of, int k) {
  std::vector<Fold> folds(static_cast<size_t>(k));
  for (size_t i = 0; i < fold_of.size(); ++i) {
    for (size_t f = 0; f < folds.size(); ++f) {
      (static_cast<int>(f) == fold_of[i] ? folds[f].validation : folds[f].train).push_back(i);
    }
  }
  return folds;
}

// Positions -> the view's Dataset rows, sorted.
std::vector<size_t> MapRows(const std::vector<size_t>& positions, const DatasetView& view) {
  std::vector<size_t> out;
  out.reserve(positions.size());
  for (size_t p : positions) out.push_back(view.rows()[p]);
  // Ascending positions give ascending rows when the view is sorted.
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<PartSizes> SplitSizes(size_t num_rows, const SplitRatios& ratios) {
  HT_ASSIGN_OR_RETURN(auto counts, PartCounts(num_rows, ratios));
  return PartSizes{counts[kTrain], counts[kValidation], counts[kTest]};
}

Result<TrainValTest> SplitIndices(size_t num_rows, const SplitRatios& ratios, uint64_t seed) {
  HT_ASSIGN_OR_RETURN(auto counts, PartCounts(num_rows, ratios));
  std::vector<size_t> order(num_rows);
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(seed);
  Shuffle(order, rng);
  std::vector<uint8_t> part_of(num_rows);
  size_t at = 0;
  for (size_t p = 0; p < 4; ++p) {
    for (size_t j = 0; j < counts[p]; ++j) part_of[order[at + j]] = static_cast<uint8_t>(p);
    at += counts[p];
  }
  return FromAssignment(part_of, counts);
}

Result<TrainValTest> StratifiedSplitIndices(std::span<const int32_t> labels,
                                            const SplitRatios& ratios, uint64_t seed) {
  size_t num_classes = 0;
  HT_RETURN_IF_ERROR(CheckLabels(labels, &num_classes));
  HT_ASSIGN_OR_RETURN(auto counts, PartCounts(labels.size(), ratios));
  std::vector<std::vector<size_t>> members(num_classes);
  for (size_t i = 0; i < labels.size(); ++i) {
    members[static_cast<size_t>(labels[i])].push_back(i);
  }
  Rng rng(seed);
  std::vector<size_t> class_count(num_classes);
  for (size_t c = 0; c < num_classes; ++c) class_count[c] = members[c].size();
  std::vector<size_t> tie_order(num_classes);
  std::iota(tie_order.begin(), tie_order.end(), size_t{0});
  Shuffle(tie_order, rng);
  const auto table = RoundTable(class_count, counts, labels.size(), tie_order);
  std::vector<uint8_t> part_of(labels.size());
  for (size_t c = 0; c < num_classes; ++c) {
    Shuffle(members[c], rng);
    size_t at = 0;
    for (size_t p = 0; p < 4; ++p) {
      for (size_t j = 0; j < table[c][p]; ++j)
        part_of[members[c][at + j]] = static_cast<uint8_t>(p);
      at += table[c][p];
    }
  }
  return FromAssignment(part_of, counts);
}

Result<std::vector<Fold>> KFoldIndices(size_t num_rows, int k, uint64_t seed, bool shuffle) {
  HT_RETURN_IF_ERROR(CheckK(k, num_rows));
  std::vector<size_t> order(num_rows);
  std::iota(order.begin(), order.end(), size_t{0});
  if (shuffle) {
    Rng rng(seed);
    Shuffle(order, rng);
  }
  const auto uk = static_cast<size_t>(k);
  std::vector<int> fold_of(num_rows);
  size_t at = 0;
  for (size_t f = 0; f < uk; ++f) {
    const size_t size = num_rows / uk + (f < num_rows % uk ? 1 : 0);
    for (size_t j = 0; j < size; ++j) fold_of[order[at + j]] = static_cast<int>(f);
    at += size;
  }
  return FoldsFromAssignment(fold_of, k);
}

Result<std::vector<Fold>> StratifiedKFoldIndices(std::span<const int32_t> labels, int k,
                                                 uint64_t seed, bool shuffle,
                                                 std::span<const std::string> class_names) {
  HT_RETURN_IF_ERROR(CheckK(k, labels.size()));
  size_t num_classes = 0;
  HT_RETURN_IF_ERROR(CheckLabels(labels, &num_classes));
  std::vector<std::vector<size_t>> members(num_classes);
  for (size_t i = 0; i < labels.size(); ++i) {
    members[static_cast<size_t>(labels[i])].push_back(i);
  }
  const auto uk = static_cast<size_t>(k);
  for (size_t c = 0; c < num_classes; ++c) {
    if (!members[c].empty() && members[c].size() < uk) {
      const std::string name =
          c < class_names.size() ? "'" + class_names[c] + "'" : std::to_string(c);
      return Status::InvalidArgument("stratified " + std::to_string(k) + "-fold: class " + name +
                                     " has " + std::to_string(members[c].size()) +
                                     " rows; every class needs at least k = " + std::to_string(k));
    }
  }
  Rng rng(seed);
  // Dealing the rows, sorted by class, round-robin into the folds gives
  // every class floor or ceil of n_c / k per fold and fold sizes within 1.
  // Each class then fills its share of each fold with a contiguous run of
  // its (shuffled) rows.
  std::vector<int> fold_of(labels.size());
  size_t dealt = 0;
  for (size_t c = 0; c < num_classes; ++c) {
    if (shuffle) Shuffle(members[c], rng);
    std::vector<size_t> share(uk, 0);
    for (size_t j = 0; j < members[c].size(); ++j) ++share[(dealt + j) % uk];
    dealt += members[c].size();
    size_t at = 0;
    for (size_t f = 0; f < uk; ++f) {
      for (size_t j = 0; j < share[f]; ++j) fold_of[members[c][at++]] = static_cast<int>(f);
    }
  }
  return FoldsFromAssignment(fold_of, k);
}

Result<TrainValTest> Split(const DatasetView& view, const SplitRatios& ratios, uint64_t seed,
                           bool stratify) {
  TrainValTest positions;
  if (stratify && view.dataset().task() == TaskType::kClassification) {
    HT_ASSIGN_OR_RETURN(positions, StratifiedSplitIndices(view.Labels(), ratios, seed));
  } else {
    HT_ASSIGN_OR_RETURN(positions, SplitIndices(view.size(), ratios, seed));
  }
  return TrainValTest{MapRows(positions.train, view), MapRows(positions.validation, view),
                      MapRows(positions.test, view)};
}

Result<std::vector<Fold>> KFold(const DatasetView& view, int k, uint64_t seed, bool shuffle,
                                bool stratify) {
  std::vector<Fold> folds;
  if (stratify && view.dataset().task() == TaskType::kClassification) {
    HT_ASSIGN_OR_RETURN(folds, StratifiedKFoldIndices(view.Labels(), k, seed, shuffle,
                                                      view.dataset().class_names()));
  } else {
    HT_ASSIGN_OR_RETURN(folds, KFoldIndices(view.size(), k, seed, shuffle));
  }
  for (Fold& f : folds) {
    f.train = MapRows(f.train, view);
    f.validation = MapRows(f.validation, view);
  }
  return folds;
}

}  // namespace hypertune::ml

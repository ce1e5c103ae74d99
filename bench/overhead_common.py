"""Definitions shared by the overhead benchmark's Python scripts. The C++
side (overhead_bench.cc) uses the same windows and checkpoints."""

# Windows of trial numbers [begin, end) whose mean time per trial is
# reported, when the study has at least `end` trials. The issue asks for the
# first three; 0-1000 is the window of the "100x faster than Optuna" target.
WINDOWS = [(0, 100), (900, 1000), (9900, 10000), (0, 1000)]

# Trial counts after which the resident set size is recorded (and after the
# last trial).
CHECKPOINTS = {100, 1000, 2000, 5000, 10000}


def read_rss_kb():
    """Current resident set size of this process, in KiB (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def window_means(t0, stamps):
    """stamps[k]: completion time of trial k (seconds); t0: start time.
    Returns [{"begin", "end", "ms_per_trial"}] for the windows that fit."""
    out = []
    for begin, end in WINDOWS:
        if end > len(stamps):
            continue
        start = t0 if begin == 0 else stamps[begin - 1]
        out.append({"begin": begin, "end": end,
                    "ms_per_trial": 1000.0 * (stamps[end - 1] - start) / (end - begin)})
    return out

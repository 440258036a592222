"""Sweep stage 03's web tier and plot what it buys: throughput and p99 against the number of
web servers, at two load levels. Run from the repository root:

    pip install ./python pandas matplotlib
    python docs/examples/sweep_stage03.py          # writes sweep_stage03.png

The same sweep on the command line:
    scalesim sweep scenarios/03-load-balancer.yaml --vary web.count=1..8 \
        --vary traffic.rate=2500,5000 --replications 3
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import scalesim

df = scalesim.sweep(
    "scenarios/03-load-balancer.yaml",
    vary={"web.count": "1..8", "traffic.rate": [2500, 5000]},
    replications=3,
    set={"duration": "60s"},
)
# One row per run: average the replications of each point.
means = df.groupby(["traffic.rate", "web.count"], as_index=False)[["throughput_rps", "p99_ms"]].mean()

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for rate, g in means.groupby("traffic.rate"):
    left.plot(g["web.count"], g["throughput_rps"], marker="o", label=f"{rate} req/s offered")
    right.plot(g["web.count"], g["p99_ms"], marker="o", label=f"{rate} req/s offered")
left.set(xlabel="web servers", ylabel="throughput (req/s)", title="What each server buys")
right.set(xlabel="web servers", ylabel="p99 (ms)", yscale="log", title="Tail latency")
for ax in (left, right):
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
fig.savefig("sweep_stage03.png", dpi=120)
print(means.to_string(index=False))

//! Instance types and their prices: the shipped table, a scenario's own entries, and the
//! `instance` a component group runs on; and the per-GB prices of data transfer.
//!
//! The shipped table is AWS EC2's general-purpose Graviton family `m7g`, On-Demand, Linux,
//! us-east-1: `m7g.large` (2 vCPUs, 8 GiB) at $0.0816 an hour as listed in June 2026, and
//! the other sizes at the same price per vCPU, as AWS prices sizes within a family. Prices
//! change; a scenario's `prices` adds types or replaces these.

/// An instance type: its size and its price.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceType {
    /// Its name, as scenarios write it (`m7g.xlarge`).
    pub name: String,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory, GiB.
    pub memory_gb: f64,
    /// On-Demand price, US dollars an hour.
    pub hourly: f64,
}

/// Where the shipped prices come from, and when.
pub const PRICES_SOURCE: &str = "AWS EC2 On-Demand, Linux, us-east-1, m7g family: m7g.large \
     $0.0816/hour as listed in June 2026; other sizes at the same price per vCPU";

/// Hours in a month, as cloud bills count them (365 x 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// The shipped instance types: `m7g.medium` to `m7g.16xlarge`.
pub fn default_prices() -> Vec<InstanceType> {
    // m7g.large: 2 vCPUs, 8 GiB, $0.0816 an hour: $0.0408 per vCPU-hour, 4 GiB per vCPU.
    [
        ("medium", 1),
        ("large", 2),
        ("xlarge", 4),
        ("2xlarge", 8),
        ("4xlarge", 16),
        ("8xlarge", 32),
        ("12xlarge", 48),
        ("16xlarge", 64),
    ]
    .into_iter()
    .map(|(size, vcpus)| InstanceType {
        name: format!("m7g.{size}"),
        vcpus,
        memory_gb: 4.0 * f64::from(vcpus),
        hourly: 0.0408 * f64::from(vcpus),
    })
    .collect()
}

/// The default contention (the Universal Scalability Law's sigma): the serial share of the
/// work, a lock or a single log every request passes through.
pub const DEFAULT_CONTENTION: f64 = 0.03;
/// The default coherency (the Universal Scalability Law's kappa): the cost of keeping each
/// pair of cores' views consistent (caches, shared state), growing with their square.
pub const DEFAULT_COHERENCY: f64 = 0.0003;

/// How a component's capacity follows its instance type's vCPUs: Gunther's Universal
/// Scalability Law `C(n) = n / (1 + contention (n - 1) + coherency n (n - 1))`, relative to
/// the reference type its `workers` and service times are written for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    /// The reference type ([`crate::Scenario::prices`] index).
    pub reference: usize,
    /// The serial share (sigma), in `[0, 1)`.
    pub contention: f64,
    /// The pairwise coherency cost (kappa), in `[0, 1)`.
    pub coherency: f64,
}

impl Scaling {
    /// Relative capacity at `n` vCPUs (`C(n)`; `C(1) = 1`).
    pub fn usl(&self, n: u32) -> f64 {
        let n = f64::from(n);
        n / (1.0 + self.contention * (n - 1.0) + self.coherency * n * (n - 1.0))
    }

    /// The vCPU count where `C(n)` peaks: past it a bigger type serves less (infinite when
    /// `coherency` is 0).
    pub fn peak_vcpus(&self) -> f64 {
        if self.coherency > 0.0 {
            ((1.0 - self.contention) / self.coherency).sqrt()
        } else {
            f64::INFINITY
        }
    }
}

/// What a component's instance type did to it: its capacity against the reference type's,
/// and how (more workers, each a little slower).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerticalScale {
    /// The scaling rule applied.
    pub scaling: Scaling,
    /// Capacity (requests a second at full use) over the reference type's: `C(n) / C(ref)`.
    pub capacity: f64,
    /// `workers` as written (for the reference type).
    pub workers_written: u32,
    /// Service times were multiplied by this.
    pub service_factor: f64,
}

/// Workers and the service-time factor that give `workers` (written for `reference`) the
/// capacity of `instance` under `scaling`: workers grow with the vCPUs (rounded, one at
/// least) and each serves slower by the factor that makes the capacity exactly
/// `C(instance) / C(reference)` times the reference's. `None`: the two have the same vCPUs.
pub fn vertical(
    workers: u32,
    instance: &InstanceType,
    reference: &InstanceType,
    scaling: Scaling,
) -> Option<(u32, VerticalScale)> {
    if instance.vcpus == reference.vcpus {
        return None;
    }
    let capacity = scaling.usl(instance.vcpus) / scaling.usl(reference.vcpus);
    let exact = f64::from(workers) * f64::from(instance.vcpus) / f64::from(reference.vcpus);
    let scaled = (exact.round() as u32).max(1);
    let service_factor = f64::from(scaled) / f64::from(workers) / capacity;
    Some((
        scaled,
        VerticalScale {
            scaling,
            capacity,
            workers_written: workers,
            service_factor,
        },
    ))
}

/// Prices of data transfer, US dollars per GB (10^9 bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransferPrices {
    /// A response a CDN edge serves to a user (CDN data transfer out to the internet).
    pub cdn_egress: f64,
    /// A response the origin (a data center) serves to a user (data transfer out to the
    /// internet).
    pub internet_egress: f64,
    /// Bytes that cross from one data center to another (inter-region data transfer).
    pub inter_dc: f64,
}

impl Default for TransferPrices {
    /// The shipped prices: see [`TRANSFER_PRICES_SOURCE`].
    fn default() -> TransferPrices {
        TransferPrices {
            cdn_egress: 0.085,
            internet_egress: 0.09,
            inter_dc: 0.02,
        }
    }
}

/// Where the shipped transfer prices come from, and when.
pub const TRANSFER_PRICES_SOURCE: &str = "AWS, as listed in June 2026, first tier of each, \
     free allowances not deducted: CloudFront data transfer out to the internet, United States, \
     Mexico and Canada, first 10 TB/month, $0.085/GB; EC2 data transfer out to the internet \
     from us-east-1, first 10 TB/month, $0.09/GB; EC2 data transfer from us-east-1 to another \
     AWS region, $0.02/GB";

/// Bytes in a GB, as transfer is billed here.
pub const BYTES_PER_GB: f64 = 1e9;

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(contention: f64, coherency: f64) -> Scaling {
        Scaling {
            reference: 0,
            contention,
            coherency,
        }
    }

    #[test]
    fn usl_is_linear_without_contention_and_peaks_with_coherency() {
        let linear = rule(0.0, 0.0);
        assert_eq!(linear.usl(64), 64.0);
        assert_eq!(linear.peak_vcpus(), f64::INFINITY);
        let r = rule(DEFAULT_CONTENTION, DEFAULT_COHERENCY);
        assert_eq!(r.usl(1), 1.0);
        // Hand-computed: 64 / (1 + 0.03 * 63 + 0.0003 * 64 * 63) = 64 / 4.0996.
        assert!((r.usl(64) - 64.0 / 4.0996).abs() < 1e-12);
        // sqrt(0.97 / 0.0003) = 56.86: C rises to there and falls after.
        assert!((r.peak_vcpus() - 56.862_407).abs() < 1e-5);
        assert!(r.usl(48) < r.usl(56) && r.usl(64) < r.usl(57));
    }

    #[test]
    fn vertical_scaling_keeps_the_capacity_exact_whatever_the_rounding() {
        let t = default_prices();
        let by = |n: &str| t.iter().find(|i| i.name == n).unwrap().clone();
        let r = rule(DEFAULT_CONTENTION, DEFAULT_COHERENCY);
        assert_eq!(vertical(4, &by("m7g.large"), &by("m7g.large"), r), None);
        // Capacity = workers / (service x factor), against workers / service written.
        for (w, ty) in [(4, "m7g.4xlarge"), (1, "m7g.medium"), (3, "m7g.xlarge")] {
            let (w2, v) = vertical(w, &by(ty), &by("m7g.large"), r).unwrap();
            let want = r.usl(by(ty).vcpus) / r.usl(2);
            assert!((v.capacity - want).abs() < 1e-12);
            let got = f64::from(w2) / v.service_factor / f64::from(w);
            assert!((got - want).abs() < 1e-12, "{ty}: {got} vs {want}");
        }
        // One worker written for 2 vCPUs on 1 vCPU: still one worker, slower.
        let (w2, v) = vertical(1, &by("m7g.medium"), &by("m7g.large"), r).unwrap();
        assert_eq!(w2, 1);
        assert!(v.service_factor > 1.0);
        // Eight times the vCPUs: eight times the workers, each slower (diminishing returns).
        let (w2, v) = vertical(4, &by("m7g.8xlarge"), &by("m7g.xlarge"), r).unwrap();
        assert_eq!(w2, 32);
        assert!(v.service_factor > 1.0 && v.capacity < 8.0);
    }

    #[test]
    fn the_shipped_table_prices_by_vcpu() {
        let t = default_prices();
        let large = t.iter().find(|i| i.name == "m7g.large").unwrap();
        assert_eq!((large.vcpus, large.memory_gb), (2, 8.0));
        assert!((large.hourly - 0.0816).abs() < 1e-12);
        let big = t.last().unwrap();
        assert_eq!(big.name, "m7g.16xlarge");
        assert!((big.hourly - 2.6112).abs() < 1e-9);
    }
}

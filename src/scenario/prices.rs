//! Instance types and their prices: the shipped table, a scenario's own entries, and the
//! `instance` a component group runs on.
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

#[cfg(test)]
mod tests {
    use super::*;

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

//! Fargate task sizes: `deploy.resources` → valid CPU/memory pairs.
//!
//! Docker's rule, kept so existing stacks keep their size: take
//! `resources.limits` (or, when absent, `reservations`), count one CPU as
//! 1000 units, then pick the smallest CPU size at least as large, and in it
//! the smallest memory at least as large. The table is today's Fargate table
//! (Docker's stopped at 4 vCPU / 30 GB; the larger sizes only add choices).

/// `(cpu units, allowed memory MiB)`, ascending.
fn table() -> Vec<(u32, Vec<u32>)> {
    vec![
        (256, vec![512, 1024, 2048]),
        (512, (1..=4).map(|g| g * 1024).collect()),
        (1024, (2..=8).map(|g| g * 1024).collect()),
        (2048, (4..=16).map(|g| g * 1024).collect()),
        (4096, (8..=30).map(|g| g * 1024).collect()),
        (8192, (4..=15).map(|g| g * 4 * 1024).collect()),
        (16384, (4..=15).map(|g| g * 8 * 1024).collect()),
    ]
}

/// The Fargate size for `cpu_units` (1 vCPU = 1000) and `memory_bytes`;
/// None when nothing is large enough.
#[must_use]
pub(crate) fn fargate(cpu_units: u64, memory_bytes: u64) -> Option<(u32, u32)> {
    if cpu_units == 0 && memory_bytes == 0 {
        return Some((256, 512));
    }
    let mib = memory_bytes.div_ceil(1024 * 1024);
    for (cpu, memories) in table() {
        if cpu_units > u64::from(cpu) {
            continue;
        }
        if let Some(m) = memories.iter().find(|m| mib <= u64::from(**m)) {
            return Some((cpu, *m));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::fargate;

    const MIB: u64 = 1024 * 1024;

    #[track_caller]
    fn case(cpu: u64, mem: u64, expected: Option<(u32, u32)>) {
        assert_eq!(fargate(cpu, mem), expected, "cpu {cpu} mem {mem}");
    }

    #[test]
    fn docker_examples() {
        case(0, 0, Some((256, 512)));
        case(500, 2048 * MIB, Some((512, 2048)));
        case(4000, 8192 * MIB, Some((4096, 8192)));
        case(0, 3072 * MIB, Some((512, 3072)));
        case(0, 600 * MIB, Some((256, 1024)));
        case(1020, 0, Some((1024, 2048)));
        case(250, 0, Some((256, 512)));
    }

    #[test]
    fn large_and_impossible() {
        case(8000, 20 * 1024 * MIB, Some((8192, 20 * 1024)));
        case(16000, 0, Some((16384, 32 * 1024)));
        case(17000, 0, None);
        case(0, 200 * 1024 * MIB, None);
    }
}

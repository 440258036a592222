//! Charts, each drawn twice from the same code: PNG (for slides and the terminal
//! viewer) and SVG (for the web and print).
//!
//! * [`latency_chart`]: the end-to-end latency CDF on a logarithmic millisecond axis, with
//!   p50 and p99 marked.
//! * [`timeseries_chart`]: throughput, p50/p99 latency and error rate in three panels that
//!   share the time axis, with the warm-up shaded grey and each fault shaded orange from its
//!   start to its end (a line for an instantaneous flush), labelled in the top panel. When a
//!   server or worker group autoscales, a fourth panel shows each such group's active instances.
//! * [`components_chart`]: per component over time, in two panels sharing the time axis: the
//!   utilization of the components with workers, and the requests waiting in them (for a
//!   message queue, its backlog), at most eight components (the busiest, by peak utilization
//!   then by peak waiting).
//!
//! Text is set in DejaVu Sans, embedded in the binary (`assets/fonts/DejaVuSans.ttf`, licence
//! beside it) and registered with plotters once, so charts render the same on a machine
//! without any system font. Colours come from the Okabe–Ito palette, which stays distinct
//! under the common colour-vision deficiencies.
//!
//! These files must not compute statistics: they plot the figures the [`Report`](crate::metrics::Report) holds. Missing
//! data (no completed requests, no windows, a panel with no values) yields a chart that says
//! "no data" rather than an error or a panic. Files are written through [`write_atomic`](crate::output::write_atomic): the
//! PNG is rendered to a temporary file beside the target and renamed into place, the SVG is
//! rendered into memory.

//!
//! One file per chart of a run ([`latency`], [`timeseries`], [`components`]) and the shared
//! drawing pieces: [`render`] (the `Chart` trait, PNG and SVG), [`style`] (font, palette,
//! titles, legends, mesh), [`axes`] (the latency CDF's plot, log axes, the time axis) and
//! [`panel`] (the stacked time panels with their warm-up and fault bands). The other charts
//! (`compare`, `sweep::chart`, `capacity_chart`, the journey's) use the shared pieces through
//! the crate-visible re-exports below.

pub mod axes;
pub mod components;
pub mod latency;
pub mod panel;
pub mod render;
pub mod style;
pub mod timeseries;

pub use self::components::{COMPONENTS_SIZE, components_chart, components_svg};
pub use self::latency::{LATENCY_SIZE, latency_chart};
pub use self::timeseries::{
    TIMESERIES_SCALED_SIZE, TIMESERIES_SIZE, timeseries_chart, timeseries_svg,
};

pub(crate) use self::axes::{axis_number, cdf_plot, cdf_points, log_bounds, log_ticks, window_s};
pub(crate) use self::panel::fault_span;
pub(crate) use self::render::{Chart, DrawResult, render, render_svg};
pub(crate) use self::style::{
    LEGEND_PX, TICK_PX, font, no_data, palette, series_legend, styled_mesh, title_style,
};

/// Helpers for the charts' tests: draw a chart into temporary files and check the PNG.
#[cfg(test)]
mod testing {
    use std::path::Path;

    use crate::metrics::Report;
    use crate::report::ReportError;

    pub(super) const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// Width and height from a PNG's IHDR chunk.
    pub(super) fn png_size(bytes: &[u8]) -> (u32, u32) {
        let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
        (be(16), be(20))
    }

    pub(super) fn draw(
        f: fn(&Report, &Path, &Path) -> Result<(), ReportError>,
        report: &Report,
    ) -> (Vec<u8>, String) {
        let dir = tempfile::tempdir().unwrap();
        let (png, svg) = (dir.path().join("c.png"), dir.path().join("c.svg"));
        f(report, &png, &svg).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "c.png" && n != "c.svg")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        (
            std::fs::read(png).unwrap(),
            std::fs::read_to_string(svg).unwrap(),
        )
    }

    pub(super) fn check_png(bytes: &[u8], size: (u32, u32)) {
        assert!(bytes.starts_with(PNG_SIGNATURE));
        assert_eq!(png_size(bytes), size);
        assert!(
            (5_000..3_000_000).contains(&bytes.len()),
            "{} bytes",
            bytes.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn empty_report_charts_say_no_data() {
        let r = fixtures::empty();
        for f in [latency_chart, timeseries_chart, components_chart] {
            let (png, svg) = draw(f, &r);
            assert!(png.starts_with(PNG_SIGNATURE));
            assert!(svg.contains("<svg"));
            assert!(svg.contains("no data"));
            assert!(svg.contains("empty: "), "title names the scenario");
        }
    }
}

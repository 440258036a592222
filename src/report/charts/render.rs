//! Drawing a chart to files: the `Chart` trait every chart implements (the run's three, the
//! compare, sweep, capacity and journey charts), PNG and SVG from the same code, files written
//! whole.

use std::error::Error;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::ensure_font;
use crate::report::{ReportError, write_atomic, write_atomic_with};

pub(crate) type DrawResult = Result<(), Box<dyn Error>>;

/// A chart that can be drawn on any plotters backend.
pub(crate) trait Chart {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

pub(crate) fn render(chart: &impl Chart, png: &Path, svg: &Path) -> Result<(), ReportError> {
    ensure_font()?;
    let size = chart.size();
    write_atomic_with(png, |tmp| {
        // The bitmap backend picks the encoder from the extension, which the temporary path
        // keeps.
        let root = BitMapBackend::new(tmp, size).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| Ok(root.present()?))
            .map_err(chart_error(png))
    })?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| Ok(root.present()?))
            .map_err(chart_error(svg))?;
    }
    write_atomic(svg, text.as_bytes())
}

/// Draws `chart` as SVG text, for embedding in a page. `name` labels errors.
pub(crate) fn render_svg(chart: &impl Chart, name: &Path) -> Result<String, ReportError> {
    ensure_font()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, chart.size()).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| Ok(root.present()?))
            .map_err(chart_error(name))?;
    }
    Ok(text)
}

fn chart_error(path: &Path) -> impl FnOnce(Box<dyn Error>) -> ReportError {
    let path = path.to_path_buf();
    move |e| ReportError::Chart {
        path,
        message: e.to_string(),
    }
}

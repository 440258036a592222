//! The house style shared by every chart: the bundled font (registered once), the font sizes,
//! the Okabe–Ito palette, titles that fit, the "no data" canvas, the styled mesh, the boxed
//! series legend and the title-and-legend strip above stacked panels.

use std::error::Error;
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::render::DrawResult;
use crate::report::ReportError;

/// The font file embedded below, relative to the crate root (for error messages).
const FONT_PATH: &str = "assets/fonts/DejaVuSans.ttf";

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The family name every text style uses; the embedded font is registered under it.
const FAMILY: &str = "sans-serif";

// Font sizes in pixels, chosen to stay readable when a chart fills a slide.
pub(crate) const TITLE_PX: f64 = 30.0;

pub(crate) const DESC_PX: f64 = 20.0;

pub(crate) const TICK_PX: f64 = 17.0;

pub(crate) const LEGEND_PX: f64 = 18.0;

/// The Okabe–Ito palette (Okabe & Ito 2008), plus the greys used for text and grid.
pub(crate) mod palette {
    use plotters::style::RGBColor;

    pub(crate) const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub(crate) const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub(crate) const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub(crate) const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub(crate) const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub(crate) const BLACK: RGBColor = RGBColor(0, 0, 0);
    /// Fault bands: Okabe–Ito orange, apart from the grey warm-up and the vermillion p99.
    pub(crate) const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Fault labels and edges: the orange darkened until text in it reads on white.
    pub(crate) const DARK_ORANGE: RGBColor = RGBColor(150, 96, 0);
    pub(crate) const TEXT: RGBColor = RGBColor(20, 20, 20);
    pub(crate) const MUTED: RGBColor = RGBColor(110, 110, 110);
    pub(crate) const GRID: RGBColor = RGBColor(215, 215, 215);
    pub(crate) const LIGHT_GRID: RGBColor = RGBColor(238, 238, 238);
    pub(crate) const SHADE: RGBColor = RGBColor(0, 0, 0);
}

/// Registers the embedded font with plotters, once per process.
pub(crate) fn ensure_font() -> Result<(), ReportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ReportError::Font {
            path: FONT_PATH.into(),
        })
    }
}

pub(crate) fn font(px: f64) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&palette::TEXT)
}

/// The title font, smaller for a title too long to fit the canvas at the usual size.
pub(crate) fn title_style<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<TextStyle<'static>, Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let room = area.dim_in_pixel().0.saturating_sub(40);
    let mut px = TITLE_PX;
    while px > 14.0 && area.estimate_text_size(title, &font(px))?.0 > room {
        px -= 2.0;
    }
    Ok(font(px))
}

pub(crate) fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// The whole canvas says "no data", under the chart's title.
pub(crate) fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    why: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.dim_in_pixel();
    let (cx, cy) = (w as i32 / 2, h as i32 / 2);
    root.draw(&Text::new(
        title,
        (cx, 40),
        centred(title_style(root, title)?),
    ))?;
    root.draw(&Text::new(
        "no data",
        (cx, cy - 20),
        centred(font(44.0).color(&palette::MUTED)),
    ))?;
    root.draw(&Text::new(
        why,
        (cx, cy + 30),
        centred(font(DESC_PX).color(&palette::MUTED)),
    ))?;
    Ok(())
}

/// The legend of the labelled series of `chart`, boxed on a pale backing at `position`.
pub(crate) fn series_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .margin(16)
        .legend_area_size(44)
        .label_font(font(LEGEND_PX))
        .background_style(WHITE.mix(0.9))
        .border_style(palette::MUTED)
        .draw()?;
    Ok(())
}

/// The mesh of `chart` in the house style: tick labels and axis titles in the chart font,
/// grey grid lines, paler light lines. The caller adds its axes' settings and draws it.
pub(crate) fn styled_mesh<'a, 'b, DB, XT, YT, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(TICK_PX))
        .axis_desc_style(font(DESC_PX))
        .bold_line_style(palette::GRID)
        .light_line_style(palette::LIGHT_GRID);
    mesh
}

/// The title, centred, and one legend row for all panels below it.
pub(crate) fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    items: &[(&str, RGBColor)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    const SWATCH: i32 = 32;
    const GAP: i32 = 8;
    const SPACE: i32 = 36;
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        title,
        (w as i32 / 2, 32),
        centred(title_style(area, title)?),
    ))?;
    let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    let mut widths = Vec::with_capacity(items.len());
    for (name, _) in items {
        widths.push(area.estimate_text_size(name, &style)?.0 as i32);
    }
    // Greedy rows that fit the width; one row sits at y = 76, two or more share y 62..=94.
    let item_w = |tw: i32| SWATCH + GAP + tw;
    let mut rows: Vec<(usize, usize, i32)> = Vec::new(); // (first, end, width)
    for (i, &tw) in widths.iter().enumerate() {
        match rows.last_mut() {
            Some((_, end, rw)) if *rw + SPACE + item_w(tw) <= w as i32 - 40 => {
                *end = i + 1;
                *rw += SPACE + item_w(tw);
            }
            _ => rows.push((i, i + 1, item_w(tw))),
        }
    }
    let step = if rows.len() > 1 {
        (32 / (rows.len() as i32 - 1)).min(24)
    } else {
        0
    };
    for (r, &(first, end, rw)) in rows.iter().enumerate() {
        let y = if rows.len() == 1 {
            76
        } else {
            62 + step * r as i32
        };
        let mut x = (w as i32 - rw).max(0) / 2;
        for ((name, colour), &tw) in items[first..end].iter().zip(&widths[first..end]) {
            area.draw(&PathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                colour.stroke_width(3),
            ))?;
            area.draw(&Text::new(*name, (x + SWATCH + GAP, y), style.clone()))?;
            x += item_w(tw) + SPACE;
        }
    }
    Ok(())
}

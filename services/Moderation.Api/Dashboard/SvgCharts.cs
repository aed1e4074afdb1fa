using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Moderation.Api.Dashboard;

/// <summary>One series of a chart: a name, a colour (3:1 against white at least) and one value per x label.</summary>
public sealed record Series(string Name, string Colour, IReadOnlyList<double?> Values);

/// <summary>
/// Accessible inline SVG charts rendered on the server (ADR 0503): each is an image with a title and a one-line
/// description, a legend in text, and the same figures as a table for screen readers and anyone who wants numbers.
/// No script, no external library.
/// </summary>
public static class SvgCharts
{
    private const int Width = 640;
    private const int Height = 260;
    private const int Left = 48;
    private const int Right = 12;
    private const int Top = 12;
    private const int Bottom = 36;
    private static readonly CultureInfo s_en = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Vertical bars, stacked when there is more than one series.</summary>
    public static IHtmlContent Bars(string id, string title, string summary, IReadOnlyList<string> labels, IReadOnlyList<Series> series, string unit) =>
        Figure(id, title, summary, labels, series, unit, svg =>
        {
            var max = NiceMax(labels.Select((_, n) => series.Sum(s => s.Values[n] ?? 0)).DefaultIfEmpty(0).Max());
            Axes(svg, max, labels);
            var slot = PlotWidth / (double)Math.Max(1, labels.Count);
            var barWidth = Math.Max(2, slot * 0.7);
            for (var n = 0; n < labels.Count; n++)
            {
                var y = (double)(Top + PlotHeight);
                foreach (var s in series)
                {
                    var value = s.Values[n] ?? 0;
                    if (value <= 0)
                    {
                        continue;
                    }

                    var h = value / max * PlotHeight;
                    y -= h;
                    svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Left + n * slot + (slot - barWidth) / 2)}\" y=\"{F(y)}\" width=\"{F(barWidth)}\" height=\"{F(h)}\" fill=\"{s.Colour}\"><title>{E(labels[n])}: {E(s.Name)} {Number(value)}</title></rect>");
                }
            }
        });

    /// <summary>Lines with a dot per value; a missing value breaks the line.</summary>
    public static IHtmlContent Lines(string id, string title, string summary, IReadOnlyList<string> labels, IReadOnlyList<Series> series, string unit) =>
        Figure(id, title, summary, labels, series, unit, svg =>
        {
            var max = NiceMax(series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max());
            Axes(svg, max, labels);
            var slot = PlotWidth / (double)Math.Max(1, labels.Count);
            foreach (var s in series)
            {
                var path = new StringBuilder();
                var pen = false;
                for (var n = 0; n < labels.Count; n++)
                {
                    if (s.Values[n] is not { } value)
                    {
                        pen = false;
                        continue;
                    }

                    var x = Left + n * slot + slot / 2;
                    var y = Top + PlotHeight - value / max * PlotHeight;
                    path.Append(pen ? " L" : " M").Append(F(x)).Append(' ').Append(F(y));
                    pen = true;
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"3\" fill=\"{s.Colour}\"><title>{E(labels[n])}: {E(s.Name)} {Number(value)} {E(unit)}</title></circle>");
                }

                if (path.Length > 0)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"2\" />");
                }
            }
        });

    /// <summary>Horizontal bars, one per label (categories), with the value written at the end of each bar.</summary>
    public static IHtmlContent HorizontalBars(string id, string title, string summary, IReadOnlyList<string> labels, Series series, string unit)
    {
        const int row = 22;
        const int labelWidth = 190;
        var height = Top + labels.Count * row + 8;
        var max = NiceMax(series.Values.Select(v => v ?? 0).DefaultIfEmpty(0).Max());
        var plot = Width - labelWidth - 40;
        var svg = new StringBuilder();
        for (var n = 0; n < labels.Count; n++)
        {
            var value = series.Values[n] ?? 0;
            var y = Top + n * row;
            var w = value / max * plot;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 8}\" y=\"{y + 15}\" text-anchor=\"end\">{E(labels[n])}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{F(w)}\" height=\"{row - 6}\" fill=\"{series.Colour}\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(labelWidth + w + 6)}\" y=\"{y + 15}\">{Number(value)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{labelWidth}\" y1=\"{Top}\" x2=\"{labelWidth}\" y2=\"{height - 8}\" />");
        return Wrap(id, title, summary, Width, height, svg.ToString(), labels, [series], unit, legend: false);
    }

    private static int PlotWidth => Width - Left - Right;

    private static int PlotHeight => Height - Top - Bottom;

    private static IHtmlContent Figure(
        string id, string title, string summary, IReadOnlyList<string> labels, IReadOnlyList<Series> series, string unit, Action<StringBuilder> draw)
    {
        var svg = new StringBuilder();
        draw(svg);
        return Wrap(id, title, summary, Width, Height, svg.ToString(), labels, series, unit, legend: true);
    }

    private static IHtmlContent Wrap(
        string id, string title, string summary, int width, int height, string body, IReadOnlyList<string> labels, IReadOnlyList<Series> series, string unit, bool legend)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"chart card\" aria-labelledby=\"{id}-h\"><h2 id=\"{id}-h\">{E(title)}</h2><figure>");
        html.Append(CultureInfo.InvariantCulture, $"<svg role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMidYMid meet\">");
        html.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-t\">{E(title)}</title><desc id=\"{id}-d\">{E(summary)}</desc>");
        html.Append(body).Append("</svg>");
        if (legend && series.Count > 1)
        {
            html.Append("<ul class=\"legend\" aria-hidden=\"true\">");
            foreach (var s in series)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><svg class=\"swatch\" viewBox=\"0 0 10 10\" aria-hidden=\"true\"><rect width=\"10\" height=\"10\" fill=\"{s.Colour}\" /></svg>{E(s.Name)}</li>");
            }

            html.Append("</ul>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<figcaption>{E(summary)}</figcaption></figure>");
        html.Append(CultureInfo.InvariantCulture, $"<details><summary>Show the figures as a table</summary><div class=\"table-scroll\"><table id=\"{id}-table\"><caption class=\"visually-hidden\">{E(title)} ({E(unit)})</caption><thead><tr><th scope=\"col\">{(legend ? "Day" : "Category")}</th>");
        foreach (var s in series)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{E(s.Name)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        for (var n = 0; n < labels.Count; n++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{E(labels[n])}</th>");
            foreach (var s in series)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{(s.Values[n] is { } v ? Number(v) : "–")}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></div></details></section>");
        return new HtmlString(html.ToString());
    }

    private static void Axes(StringBuilder svg, double max, IReadOnlyList<string> labels)
    {
        var steps = Steps(max);
        for (var step = 0; step <= steps; step++)
        {
            var value = max * step / steps;
            var y = Top + PlotHeight - PlotHeight * step / (double)steps;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Width - Right}\" y2=\"{F(y)}\" />");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Number(value)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top + PlotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + PlotHeight}\" />");
        var slot = PlotWidth / (double)Math.Max(1, labels.Count);
        var every = Math.Max(1, (int)Math.Ceiling(labels.Count / 6.0));
        for (var n = 0; n < labels.Count; n += every)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + n * slot + slot / 2)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{E(labels[n])}</text>");
        }
    }

    /// <summary>The axis top: 1, 2 or 5 times a power of ten, at least the largest value (and at least 1).</summary>
    public static double NiceMax(double value)
    {
        if (value <= 1)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var m in new[] { 1.0, 2, 5, 10 })
        {
            if (m * power >= value)
            {
                return m * power;
            }
        }

        return 10 * power;
    }

    /// <summary>Grid lines at whole, round values: 1 → 1 step, 2 → 2, 5 → 5, 10 → 5 (of 2), 20 → 4 (of 5), 50 → 5 (of 10).</summary>
    private static int Steps(double max)
    {
        var mantissa = max / Math.Pow(10, Math.Floor(Math.Log10(max)));
        return (mantissa, max) switch
        {
            (_, 1) => 1,
            (_, 2) => 2,
            ( < 1.5, _) => 5,
            ( < 3, _) => 4,
            _ => 5,
        };
    }

    public static string Number(double value) =>
        Math.Abs(value - Math.Round(value)) < 0.05 ? Math.Round(value).ToString("N0", s_en) : value.ToString("N1", s_en);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string text) => HtmlEncoder.Default.Encode(text);
}

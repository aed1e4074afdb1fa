using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using PdfSharp.Snippets.Font;

namespace Moderation.Domain.Safeguarding.Evidence;

/// <summary>
/// The export's one-page-or-more PDF summary: the case, its referrals and every evidence part with its SHA-256. It
/// never quotes the item or the confidential notes: those stay in the files and in the app.
/// </summary>
public static class EvidencePdf
{
    private const double Margin = 50;
    private const int WrapAt = 95;
    private static readonly Lock s_fontLock = new();

    public static byte[] Render(BundleManifest m)
    {
        ArgumentNullException.ThrowIfNull(m);
        EnsureFonts();
        var lines = new List<(string Text, bool Bold)>
        {
            ("Safeguarding case: evidence summary", true),
            ($"School: {m.School}", false),
            ($"Case: {m.CaseId}", false),
            ($"Category: {m.Category}   Severity: {m.Severity}   Source: {m.Source}   Status: {m.Status}", false),
            ($"Raised by {m.RaisedBy} at {Utc(m.RaisedAt)}", false),
            ($"Evidence captured at {(m.CapturedAt is { } at ? Utc(at) : "-")}; legal hold: {(m.LegalHold ? "yes" : "no")}", false),
            ($"Exported by {m.ExportedBy} at {Utc(m.ExportedAt)}", false),
            ("", false),
            ("Referrals", true),
        };
        lines.AddRange(m.Referrals.Count == 0
            ? [("None recorded.", false)]
            : m.Referrals.Select(r => ($"{r.Agency}: made {Utc(r.MadeAt)} by {r.MadeBy}; reference {r.Reference ?? "-"}; outcome {r.Outcome ?? "-"}", false)));
        lines.Add(("", false));
        lines.Add(("Evidence parts (SHA-256)", true));
        foreach (var p in m.Parts)
        {
            lines.Add((EvidenceBundle.Describe(p), false));
            lines.Add(($"    {p.Sha256}", false));
        }

        lines.Add(("", false));
        lines.Add(($"Bundle SHA-256: {m.BundleSha256}", true));
        lines.Add(("Check the bundle with the worker's verify-evidence command or the API's evidence verification.", false));

        using var document = new PdfDocument();
        document.Info.Title = $"Safeguarding case {m.CaseId}";
        var regular = new XFont("Arial", 9);
        var bold = new XFont("Arial", 11, XFontStyleEx.Bold);
        PdfPage? page = null;
        XGraphics? gfx = null;
        double y = 0;
        try
        {
            foreach (var (text, isBold) in lines.SelectMany(l => Wrap(l.Text).Select(w => (w, l.Bold))))
            {
                if (gfx is null || y > page!.Height.Point - Margin)
                {
                    gfx?.Dispose();
                    page = document.AddPage();
                    gfx = XGraphics.FromPdfPage(page);
                    y = Margin;
                }

                gfx.DrawString(text, isBold ? bold : regular, XBrushes.Black, new XPoint(Margin, y));
                y += isBold ? 16 : 12;
            }
        }
        finally
        {
            gfx?.Dispose();
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static IEnumerable<string> Wrap(string text)
    {
        if (text.Length <= WrapAt)
        {
            yield return text;
            yield break;
        }

        for (var i = 0; i < text.Length; i += WrapAt)
        {
            yield return text.Substring(i, Math.Min(WrapAt, text.Length - i));
        }
    }

    private static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    // Servers have no fonts PDFsharp can find; the fail-safe resolver embeds the fonts that ship inside the package.
    private static void EnsureFonts()
    {
        lock (s_fontLock)
        {
            GlobalFontSettings.FontResolver ??= new FailsafeFontResolver();
        }
    }
}

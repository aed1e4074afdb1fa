using System.Text.Json;
using Microsoft.Playwright;

namespace Moderation.Web.Tests;

/// <summary>
/// A focused automated accessibility check, run in the page (no axe-core: nothing to install). It finds: a page
/// without a language, a title, one h1, a main landmark or a banner; headings that skip a level; several navigation
/// landmarks without names; form fields, buttons and links with no accessible name; images without alt; SVG images
/// without a name; duplicate ids; text whose contrast with its background is under WCAG AA (4.5:1, or 3:1 for large
/// text), computed from the computed styles. <see cref="FocusProblemsAsync"/> tabs through the page and finds
/// focus stops with no visible focus indicator or that are hidden.
/// </summary>
public static class AccessibilityCheck
{
    private const string Script = """
        () => {
          const problems = [];
          const visible = el => {
            if (!el.getClientRects().length) return false;
            const s = getComputedStyle(el);
            return s.visibility !== 'hidden' && s.display !== 'none';
          };
          const describe = el => {
            const id = el.id ? '#' + el.id : '';
            const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
            const text = (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
            return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
          };
          const byIds = ids => ids.split(/\s+/).map(i => document.getElementById(i)).filter(Boolean);
          const name = el => {
            const labelledBy = el.getAttribute('aria-labelledby');
            if (labelledBy) {
              const t = byIds(labelledBy).map(e => e.textContent.trim()).join(' ').trim();
              if (t) return t;
            }
            const aria = (el.getAttribute('aria-label') || '').trim();
            if (aria) return aria;
            if (el.labels && el.labels.length) {
              const t = Array.from(el.labels).map(l => l.textContent.trim()).join(' ').trim();
              if (t) return t;
            }
            if (['button', 'a', 'summary', 'option'].includes(el.tagName.toLowerCase())) {
              const t = (el.innerText || el.textContent || '').trim();
              if (t) return t;
              const img = el.querySelector('img[alt]');
              if (img && img.alt.trim()) return img.alt.trim();
            }
            if (el.tagName.toLowerCase() === 'input' && ['submit', 'button', 'reset'].includes(el.type) && el.value.trim()) return el.value.trim();
            return (el.getAttribute('title') || '').trim();
          };

          if (!(document.documentElement.getAttribute('lang') || '').trim()) problems.push('the page has no lang');
          if (!document.title.trim()) problems.push('the page has no title');

          const h1s = Array.from(document.querySelectorAll('h1')).filter(visible);
          if (h1s.length !== 1) problems.push(`the page has ${h1s.length} visible h1 headings, not 1`);
          let last = 0;
          for (const h of Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).filter(visible)) {
            const level = +h.tagName[1];
            if (last && level > last + 1) problems.push(`heading level skips from h${last} to h${level}: ${describe(h)}`);
            last = level;
          }

          if (!document.querySelector('main')) problems.push('no main landmark');
          if (!document.querySelector('body > header, [role=banner]')) problems.push('no banner (page header)');
          const navs = Array.from(document.querySelectorAll('nav, [role=navigation]'));
          if (navs.length > 1) navs.filter(n => !name(n)).forEach(n => problems.push(`a navigation landmark among several has no name: ${describe(n)}`));

          for (const el of document.querySelectorAll('input, select, textarea, button, a[href], summary, [role=button], [role=link]')) {
            if (el.type === 'hidden' || !visible(el)) continue;
            if (!name(el)) problems.push(`no accessible name: ${describe(el)}`);
          }
          for (const img of document.querySelectorAll('img')) {
            if (!img.hasAttribute('alt')) problems.push(`image without alt: ${img.src}`);
          }
          for (const svg of document.querySelectorAll('svg')) {
            if (svg.closest('[aria-hidden=true]')) continue;
            if (svg.getAttribute('role') !== 'img' || !name(svg)) problems.push(`an svg that is neither hidden nor a named image: ${describe(svg)}`);
          }
          const seen = new Map();
          for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
          for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" is used ${n} times`);

          // Contrast of text against the background it is drawn on.
          const parse = c => {
            const m = c.match(/rgba?\(([^)]+)\)/);
            if (!m) return null;
            const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
            return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
          };
          const blend = (top, bottom) => ({
            r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
          const background = el => {
            const layers = [];
            for (let e = el; e; e = e.parentElement) {
              const s = getComputedStyle(e);
              if (s.backgroundImage && s.backgroundImage !== 'none') return null;
              const c = parse(s.backgroundColor);
              if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
            }
            let colour = { r: 255, g: 255, b: 255, a: 1 };
            for (let i = layers.length - 1; i >= 0; i--) colour = blend(layers[i], colour);
            return colour;
          };
          const opacity = el => { let o = 1; for (let e = el; e; e = e.parentElement) o *= +getComputedStyle(e).opacity; return o; };
          const lum = c => {
            const ch = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
          };
          const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
          for (const el of document.querySelectorAll('body *')) {
            if (el.closest('svg') || !visible(el)) continue;
            const hasText = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
            if (!hasText) continue;
            const s = getComputedStyle(el);
            const bg = background(el);
            const fg = parse(s.color);
            if (!bg || !fg) continue;
            const colour = blend({ ...fg, a: fg.a * opacity(el) }, bg);
            const size = parseFloat(s.fontSize);
            const large = size >= 24 || (size >= 18.66 && +s.fontWeight >= 700);
            const need = large ? 3 : 4.5;
            const r = ratio(colour, bg);
            if (r < need) problems.push(`contrast ${r.toFixed(2)}:1 (needs ${need}:1): ${describe(el)}`);
          }
          return problems;
        }
        """;

    /// <summary>The problems on the page as it is now; empty when it passes.</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(IPage page) =>
        await page.EvaluateAsync<string[]>(Script);

    /// <summary>
    /// Tabs through the page from the top (at most <paramref name="stops"/> stops) and returns each stop that shows no
    /// focus indicator (outline or box-shadow) or is not visible; the focus order is returned too.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Problems, IReadOnlyList<string> Order)> FocusProblemsAsync(IPage page, int stops = 25)
    {
        // Focusing the body (briefly focusable) moves the sequential navigation starting point to the top of the page.
        await page.EvaluateAsync("() => { const b = document.body; b.tabIndex = -1; b.focus(); b.removeAttribute('tabindex'); window.scrollTo(0, 0); }");
        var problems = new List<string>();
        var order = new List<string>();
        for (var n = 0; n < stops; n++)
        {
            await page.Keyboard.PressAsync("Tab");
            var json = await page.EvaluateAsync<string>("""
                () => {
                  const el = document.activeElement;
                  if (!el || el === document.body) return JSON.stringify(null);
                  const s = getComputedStyle(el);
                  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                  const shadow = s.boxShadow && s.boxShadow !== 'none';
                  const r = el.getBoundingClientRect();
                  const label = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 40);
                  return JSON.stringify({ what: `<${el.tagName.toLowerCase()}> ${label}`, indicated: outline || shadow, visible: r.width > 0 && r.height > 0 });
                }
                """);
            var stop = JsonSerializer.Deserialize<JsonElement>(json);
            if (stop.ValueKind == JsonValueKind.Null)
            {
                break;
            }

            var what = stop.GetProperty("what").GetString()!;
            if (order.Count > 0 && order[0] == what && n > 1)
            {
                break; // wrapped round
            }

            order.Add(what);
            if (!stop.GetProperty("indicated").GetBoolean())
            {
                problems.Add($"no visible focus indicator on {what}");
            }

            if (!stop.GetProperty("visible").GetBoolean())
            {
                problems.Add($"focus went to something not visible: {what}");
            }
        }

        return (problems, order);
    }
}

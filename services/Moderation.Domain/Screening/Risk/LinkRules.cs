using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Moderation.Domain.Screening.Risk;

/// <summary>Which list a domain in links.tsv is on.</summary>
internal enum LinkList
{
    Allow,
    Deny,
    Shortener,
    TopLevel,
}

internal sealed record LinkRule(string Domain, LinkList List, FindingSeverity Severity, string Explanation);

/// <summary>
/// Links must be appropriate and safe (003 §6.3(g)). A denied domain is reported with its own severity; a URL
/// shortener hides where it goes, so it is flagged; an allowed domain (the lists, or the school's own) is clean; any
/// other link is noted for the reviewer to check. Links are found in the original text, not the canonical one, so a
/// URL keeps its dots and digits.
/// </summary>
internal sealed partial class LinkRules
{
    private readonly FrozenDictionary<string, LinkRule> _domains;
    private readonly FrozenSet<string> _topLevelDomains;

    public LinkRules(IEnumerable<LinkRule> rules)
    {
        var domains = new Dictionary<string, LinkRule>(StringComparer.Ordinal);
        var topLevel = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (rule.List == LinkList.TopLevel)
            {
                topLevel.Add(rule.Domain);
            }
            else
            {
                domains[rule.Domain] = rule;
            }
        }

        _domains = domains.ToFrozenDictionary(StringComparer.Ordinal);
        _topLevelDomains = topLevel.ToFrozenSet(StringComparer.Ordinal);
    }

    public int Count => _domains.Count;

    public void Match(string text, IReadOnlySet<string> schoolDomains, List<Finding> findings)
    {
        // Only the stretch of text around a dot that sits between two letters or digits can hold a link; the link
        // expression is run on those stretches alone, which keeps ordinary text cheap.
        var consumed = 0;
        for (var dot = text.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = dot + 1 < text.Length ? text.IndexOf('.', dot + 1) : -1)
        {
            if (dot < consumed || !IsDomainDot(text, dot))
            {
                continue;
            }

            var (start, end) = Stretch(text, dot);
            foreach (var match in Link().EnumerateMatches(text.AsSpan(start, end - start)))
            {
                Classify(text, start + match.Index, match.Length, schoolDomains, findings);
            }

            consumed = end;
        }
    }

    private static bool IsDomainDot(string text, int dot)
    {
        var before = dot > 0 ? text[dot - 1] : ' ';
        var after = dot + 1 < text.Length ? text[dot + 1] : ' ';
        if (before is '[' or '(' && after is ']' or ')')
        {
            // "[.]" or "(.)", written to slip a link past filters.
            return dot > 1 && char.IsAsciiLetterOrDigit(text[dot - 2]) && dot + 2 < text.Length && char.IsAsciiLetter(text[dot + 2]);
        }

        return char.IsAsciiLetterOrDigit(before) && char.IsAsciiLetter(after);
    }

    /// <summary>The run of non-space characters around a dot.</summary>
    private static (int Start, int End) Stretch(string text, int dot)
    {
        var start = dot;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]))
        {
            start--;
        }

        var end = dot;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        return (start, end);
    }

    private void Classify(string text, int index, int length, IReadOnlySet<string> schoolDomains, List<Finding> findings)
    {
        var link = text.AsSpan(index, length).TrimEnd(".,;:!?)]}'\"");
        if (link.IsEmpty)
        {
            return;
        }

        var explicitLink = link.Contains("://", StringComparison.Ordinal) || link.StartsWith("www", StringComparison.OrdinalIgnoreCase);
        var host = Host(link);
        var listed = Find(host, schoolDomains);
        if (!explicitLink && listed is null && !_topLevelDomains.Contains(host[(host.LastIndexOf('.') + 1)..]))
        {
            // "Mr.Jones" or "file.txt": not a domain anyone can visit.
            return;
        }

        var finding = listed?.List switch
        {
            LinkList.Allow => null,
            LinkList.Deny => new Finding(RiskCategories.Links, "link-denied:" + listed.Domain, listed.Severity, index, link.Length, listed.Explanation),
            LinkList.Shortener => new Finding(RiskCategories.Links, "link-shortener:" + listed.Domain, listed.Severity, index, link.Length, listed.Explanation),
            _ => new Finding(RiskCategories.Links, "link-unlisted", FindingSeverity.Info, index, link.Length, "A link to a site on neither the allow nor the deny list: check where it goes."),
        };
        if (finding is not null)
        {
            findings.Add(finding);
        }
    }

    /// <summary>The host's own entry or its nearest listed parent ("m.facebook.com" is under "facebook.com"); the school's domains count as allowed.</summary>
    private LinkRule? Find(string host, IReadOnlySet<string> schoolDomains)
    {
        for (var domain = host; domain.Length > 0;)
        {
            if (_domains.TryGetValue(domain, out var rule) && rule.List != LinkList.Allow)
            {
                return rule;
            }

            if (schoolDomains.Contains(domain))
            {
                return new LinkRule(domain, LinkList.Allow, FindingSeverity.Info, "The school's own domain.");
            }

            if (rule is not null)
            {
                return rule;
            }

            var dot = domain.IndexOf('.', StringComparison.Ordinal);
            domain = dot < 0 ? string.Empty : domain[(dot + 1)..];
        }

        return null;
    }

    private static string Host(ReadOnlySpan<char> link)
    {
        var scheme = link.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            link = link[(scheme + 3)..];
        }

        var at = link.IndexOfAny('/', '?', '#');
        if (at >= 0)
        {
            link = link[..at];
        }

        var userInfo = link.LastIndexOf('@');
        if (userInfo >= 0)
        {
            link = link[(userInfo + 1)..];
        }

        var port = link.IndexOf(':');
        if (port >= 0)
        {
            link = link[..port];
        }

        var host = link.ToString().ToLowerInvariant().Replace("[.]", ".", StringComparison.Ordinal).Replace("(.)", ".", StringComparison.Ordinal);
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    public static string NormaliseDomain(string domain)
    {
        var d = domain.Trim().ToLowerInvariant();
        return d.StartsWith("www.", StringComparison.Ordinal) ? d[4..] : d.TrimStart('.');
    }

    // A URL with a scheme, or a bare domain such as "bit.ly/x" or "www.example.com", within a run of non-space text.
    // Dots written "[.]" or "(.)" to slip past filters count as dots. An address after '@' is an e-mail, which
    // PersonalDataScreener reports.
    [GeneratedRegex(@"(?<![\w@.\-])(?:(?:https?|ftp)://[^\s<>""'`]+|(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.|\[\.\]|\(\.\)))+[a-z]{2,24}(?![\w\-@])(?::\d{1,5})?(?:/[^\s<>""'`]*)?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Link();
}

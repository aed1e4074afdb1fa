namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// Works out, from a pattern's own text, a set of words at least one of which every match must contain as a whole
/// word ("meet me ... after school" cannot match without "meet"). The screener then runs a pattern only when its text
/// has one of those words, so the dozens of phrase rules cost a dictionary look-up per word on ordinary text rather
/// than a regular-expression scan each. A pattern whose words cannot be worked out (it starts with <c>\w+</c>, say)
/// simply always runs. The analysis understands the subset of regular expressions the rule files use: literals,
/// groups, alternation, quantifiers, classes and lookarounds.
/// </summary>
internal static class PatternAnchors
{
    private const int MaxStrings = 2048;
    private const char Unknown = '\u0001';

    // Words too common to be worth anchoring on (the most frequent English words, and those of ordinary school news):
    // a set containing one is scored as much worse than any other.
    private static readonly HashSet<string> s_common = new(StringComparer.Ordinal)
    {
        "i", "a", "an", "the", "you", "u", "to", "is", "are", "me", "my", "we", "it", "in", "on", "of", "and", "or",
        "that", "this", "he", "she", "they", "be", "was", "will", "so", "at", "for", "your", "ur", "im", "i'm", "go",
        "get", "just", "all", "with", "not", "do", "no", "one", "s", "up", "by", "from", "our", "her", "him", "his",
        "them", "their", "there", "these", "those", "what", "what's", "whats", "wat", "who", "which", "when",
        "where", "why", "how", "can", "could", "would", "should", "have", "has", "had", "been", "being", "am",
        "were", "did", "does", "done", "day", "days", "today", "tomorrow", "week", "weekend", "time", "year",
        "years", "class", "school", "children", "child", "kids", "kid", "pupils", "parents", "parent", "mum", "dad",
        "family", "home", "house", "well", "good", "great", "very", "really", "too", "also", "thank", "thanks",
        "please", "love", "lovely", "brilliant", "amazing", "proud", "fun", "happy", "new", "next", "last", "first",
        "back", "out", "over", "about", "after", "before", "again", "more", "some", "any", "every", "everyone",
        "everybody", "everything", "us", "let", "make", "made", "see", "saw", "look", "looking", "come", "came",
        "going", "gone", "went", "take", "took", "give", "gave", "send", "sent", "tell", "told", "know", "think",
        "want", "like", "photos", "photo", "pictures", "picture", "pics", "videos", "images", "work", "learning",
        "learnt", "read", "reading", "write", "book", "books", "today's", "morning", "afternoon", "evening", "night",
        "tonight", "now", "then", "still", "here", "if", "but", "because", "as", "than", "into", "off", "down",
        "only", "own", "same", "other", "others", "such", "each", "many", "much", "most", "people", "person", "team",
        "way", "say", "said", "says",
    };

    /// <summary>The anchor words of a pattern (squeezed, as <see cref="Lexicon.Squeeze"/> makes them), or null if it must always run.</summary>
    public static IReadOnlySet<string>? Find(string expandedPattern)
    {
        Node root;
        try
        {
            var parser = new Parser(expandedPattern);
            root = parser.ParseAll();
        }
        catch (FormatException)
        {
            return null;
        }

        // The compiled pattern starts and ends on word boundaries: for the analysis, a space on either side.
        var whole = new Node.Seq([new Node.Lit(' '), root, new Node.Lit(' ')]);
        var anchors = Anchors(whole, left: true, right: true);
        return anchors?.Select(Squeezed).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The most spaces a match of the pattern can contain, or null if there is no limit (a repetition without bound of
    /// something that can be a space, a back-reference) or the pattern is beyond the analysis. A match that contains its
    /// anchor word at the k-th word of a text therefore starts no earlier than word k minus this.
    /// </summary>
    public static int? MaxSpaces(string pattern)
    {
        try
        {
            var parser = new Parser(pattern);
            var root = parser.ParseAll();
            return parser.HasBackreference ? null : MaxSpaces(root) is { } spaces and <= 1000 ? (int)spaces : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static long? MaxSpaces(Node node)
    {
        switch (node)
        {
            case Node.Lit lit:
                return lit.C == ' ' ? 1 : 0;
            case Node.AnyChar any:
                return any.CanBeSpace ? 1 : 0;
            case Node.Empty:
                return 0;
            case Node.Seq seq:
                long sum = 0;
                foreach (var item in seq.Items)
                {
                    if (MaxSpaces(item) is not { } spaces)
                    {
                        return null;
                    }

                    sum += spaces;
                }

                return sum;
            case Node.Alt alt:
                long most = 0;
                foreach (var branch in alt.Branches)
                {
                    if (MaxSpaces(branch) is not { } spaces)
                    {
                        return null;
                    }

                    most = Math.Max(most, spaces);
                }

                return most;
            case Node.Rep rep:
                var inner = MaxSpaces(rep.Item);
                return inner switch
                {
                    null => null,
                    0 => 0,
                    _ when rep.Max == int.MaxValue => null,
                    _ => Math.Min(inner.Value * rep.Max, int.MaxValue),
                };
            default:
                return null;
        }
    }

    /// <summary>Whether an escape such as \w or \s can match a space: only \w, \d and \S are sure not to.</summary>
    private static bool EscapeCanBeSpace(char escaped) => escaped is not ('w' or 'd' or 'S');

    /// <summary>
    /// Whether a character class (its text between the brackets) can match a space: a negated class, a space, a range
    /// across the space, or any escape but \w, \d, \S and punctuation may.
    /// </summary>
    private static bool ClassCanBeSpace(ReadOnlySpan<char> body)
    {
        if (body.IsEmpty || body[0] == '^')
        {
            return true;
        }

        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\')
            {
                if (i + 1 >= body.Length)
                {
                    return true;
                }

                var escaped = body[++i];
                if (escaped == ' ' || (char.IsAsciiLetterOrDigit(escaped) && EscapeCanBeSpace(escaped)))
                {
                    return true;
                }

                c = escaped;
            }
            else if (c == ' ')
            {
                return true;
            }

            // A range "c-d": the space lies in it if c <= ' ' <= d (an escaped end counts as itself).
            if (i + 2 < body.Length && body[i + 1] == '-')
            {
                var end = body[i + 2] == '\\' && i + 3 < body.Length ? body[i + 3] : body[i + 2];
                if (c <= ' ' && end >= ' ')
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Squeezed(string word)
    {
        Span<char> buffer = stackalloc char[word.Length];
        return buffer[..Lexicon.Squeeze(word, buffer)].ToString();
    }

    private abstract record Node
    {
        public sealed record Lit(char C) : Node;

        /// <summary>One character the analysis does not follow: a class, an escape such as \w, or '.'.</summary>
        public sealed record AnyChar(bool CanBeSpace) : Node;

        public sealed record Empty : Node;

        public sealed record Seq(List<Node> Items) : Node;

        public sealed record Alt(List<Node> Branches) : Node;

        public sealed record Rep(Node Item, int Min, int Max) : Node;
    }

    /// <summary>Shape facts about a node that do not depend on its neighbours.</summary>
    private sealed record Shape(HashSet<string>? Strings, bool CanBeEmpty, bool StartsWithSpace, bool EndsWithSpace);

    private static Shape ShapeOf(Node node) => node switch
    {
        Node.Lit lit => new Shape([lit.C.ToString()], false, lit.C == ' ', lit.C == ' '),
        Node.AnyChar => new Shape(null, false, false, false),
        Node.Empty => new Shape([string.Empty], true, true, true),
        Node.Rep rep => RepShape(rep),
        Node.Alt alt => AltShape(alt),
        Node.Seq seq => SeqShape(seq),
        _ => throw new InvalidOperationException(),
    };

    private static Shape RepShape(Node.Rep rep)
    {
        var inner = ShapeOf(rep.Item);
        HashSet<string>? strings = null;
        if (inner.Strings is not null && rep.Max == 1)
        {
            strings = [.. inner.Strings];
            if (rep.Min == 0)
            {
                strings.Add(string.Empty);
            }
        }

        return new Shape(strings, rep.Min == 0 || inner.CanBeEmpty, inner.StartsWithSpace, inner.EndsWithSpace);
    }

    private static Shape AltShape(Node.Alt alt)
    {
        var shapes = alt.Branches.Select(ShapeOf).ToList();
        HashSet<string>? strings = null;
        if (shapes.TrueForAll(s => s.Strings is not null) && shapes.Sum(s => s.Strings!.Count) <= MaxStrings)
        {
            strings = [.. shapes.SelectMany(s => s.Strings!)];
        }

        return new Shape(strings, shapes.Exists(s => s.CanBeEmpty), shapes.TrueForAll(s => s.StartsWithSpace), shapes.TrueForAll(s => s.EndsWithSpace));
    }

    private static Shape SeqShape(Node.Seq seq)
    {
        var shapes = seq.Items.Select(ShapeOf).ToList();
        HashSet<string>? strings = [string.Empty];
        foreach (var shape in shapes)
        {
            strings = Cross(strings, shape.Strings);
        }

        return new Shape(strings, shapes.TrueForAll(s => s.CanBeEmpty), StartsWithSpace(shapes, 0, 1, true), StartsWithSpace(shapes, shapes.Count - 1, -1, true));
    }

    /// <summary>
    /// Walking from <paramref name="from"/> in <paramref name="step"/> direction, whether the text there starts (or,
    /// walking backwards, ends) with a space, or runs out into <paramref name="otherwise"/>.
    /// </summary>
    private static bool StartsWithSpace(List<Shape> shapes, int from, int step, bool otherwise)
    {
        for (var i = from; i >= 0 && i < shapes.Count; i += step)
        {
            var edge = step > 0 ? shapes[i].StartsWithSpace : shapes[i].EndsWithSpace;
            if (!edge)
            {
                return false;
            }

            if (!shapes[i].CanBeEmpty)
            {
                return true;
            }
        }

        return otherwise;
    }

    private static HashSet<string>? Cross(HashSet<string>? left, HashSet<string>? right)
    {
        if (left is null || right is null || (long)left.Count * right.Count > MaxStrings)
        {
            return null;
        }

        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in left)
        {
            foreach (var b in right)
            {
                result.Add(a + b);
            }
        }

        return result;
    }

    /// <summary>Words one of which every match of the node contains, given whether its edges are word boundaries.</summary>
    private static HashSet<string>? Anchors(Node node, bool left, bool right)
    {
        var shape = ShapeOf(node);
        if (shape.Strings is not null)
        {
            return WordsFrom(shape.Strings, left, right);
        }

        return node switch
        {
            Node.Rep { Min: 0 } => null,
            Node.Rep rep => Anchors(rep.Item, left, rep.Max == 1 && right),
            Node.Alt alt => AltAnchors(alt, left, right),
            Node.Seq seq => SeqAnchors(seq, left, right),
            _ => null,
        };
    }

    private static HashSet<string>? AltAnchors(Node.Alt alt, bool left, bool right)
    {
        var union = new HashSet<string>(StringComparer.Ordinal);
        foreach (var branch in alt.Branches)
        {
            var anchors = Anchors(branch, left, right);
            if (anchors is null)
            {
                return null;
            }

            union.UnionWith(anchors);
        }

        return union;
    }

    private static HashSet<string>? SeqAnchors(Node.Seq seq, bool left, bool right)
    {
        var shapes = seq.Items.Select(ShapeOf).ToList();
        HashSet<string>? best = null;
        for (var i = 0; i < seq.Items.Count;)
        {
            HashSet<string>? candidate;
            var leftEdge = StartsWithSpace(shapes, i - 1, -1, left);
            if (shapes[i].Strings is null)
            {
                candidate = Anchors(seq.Items[i], leftEdge, StartsWithSpace(shapes, i + 1, 1, right));
                i++;
            }
            else
            {
                // A run of finite items: every way through it, written out.
                HashSet<string> strings = [string.Empty];
                var j = i;
                for (; j < seq.Items.Count && shapes[j].Strings is not null; j++)
                {
                    var crossed = Cross(strings, shapes[j].Strings);
                    if (crossed is null)
                    {
                        break;
                    }

                    strings = crossed;
                }

                if (j == i)
                {
                    // One item too big to write out with the rest: take it on its own.
                    strings = shapes[i].Strings!;
                    j = i + 1;
                }

                candidate = WordsFrom(strings, leftEdge, StartsWithSpace(shapes, j, 1, right));
                i = j;
            }

            if (candidate is not null && (best is null || Score(candidate) < Score(best)))
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>One whole word from each string (the least common, then the longest), or null if some string has none.</summary>
    private static HashSet<string>? WordsFrom(HashSet<string> strings, bool left, bool right)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in strings)
        {
            var padded = (left ? " " : Unknown.ToString()) + s + (right ? " " : Unknown.ToString());
            string? chosen = null;
            foreach (var word in WholeWords(padded))
            {
                if (chosen is null || Better(word, chosen))
                {
                    chosen = word;
                }
            }

            if (chosen is null)
            {
                return null;
            }

            words.Add(chosen);
        }

        return words;
    }

    private static IEnumerable<string> WholeWords(string padded)
    {
        var start = -1;
        for (var i = 0; i < padded.Length; i++)
        {
            var isWordChar = padded[i] is not ' ' and not Unknown;
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                if (padded[start - 1] == ' ' && padded[i] == ' ')
                {
                    yield return padded[start..i];
                }

                start = -1;
            }
        }
    }

    private static bool Better(string word, string than) =>
        s_common.Contains(word) != s_common.Contains(than) ? !s_common.Contains(word) : word.Length > than.Length;

    private static int Score(HashSet<string> words) => words.Sum(w => s_common.Contains(w) ? 100 : 1);

    /// <summary>A parser for the regular-expression subset the rule files use.</summary>
    private sealed class Parser(string pattern)
    {
        private int _position;

        /// <summary>The pattern refers back to a group, which can match any number of spaces.</summary>
        public bool HasBackreference { get; private set; }

        public Node ParseAll()
        {
            var node = ParseAlternation();
            if (_position != pattern.Length)
            {
                throw new FormatException("unbalanced parenthesis");
            }

            return node;
        }

        private Node ParseAlternation()
        {
            var branches = new List<Node> { ParseSequence() };
            while (_position < pattern.Length && pattern[_position] == '|')
            {
                _position++;
                branches.Add(ParseSequence());
            }

            return branches.Count == 1 ? branches[0] : new Node.Alt(branches);
        }

        private Node.Seq ParseSequence()
        {
            var items = new List<Node>();
            while (_position < pattern.Length && pattern[_position] is not '|' and not ')')
            {
                items.Add(ParseQuantified());
            }

            return new Node.Seq(items);
        }

        private Node ParseQuantified()
        {
            var atom = ParseAtom();
            while (_position < pattern.Length)
            {
                var c = pattern[_position];
                if (c is '?' or '*' or '+')
                {
                    _position++;
                    atom = new Node.Rep(atom, c == '+' ? 1 : 0, c == '?' ? 1 : int.MaxValue);
                }
                else if (c == '{' && TryReadBraces(out var min, out var max))
                {
                    atom = new Node.Rep(atom, min, max);
                }
                else
                {
                    break;
                }

                if (_position < pattern.Length && pattern[_position] is '?' or '+')
                {
                    _position++; // lazy or possessive
                }
            }

            return atom;
        }

        private bool TryReadBraces(out int min, out int max)
        {
            var close = pattern.IndexOf('}', _position);
            min = max = 0;
            if (close < 0)
            {
                return false;
            }

            var parts = pattern[(_position + 1)..close].Split(',');
            if (!int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out min))
            {
                return false;
            }

            max = parts.Length == 1 ? min
                : parts[1].Length == 0 ? int.MaxValue
                : int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : throw new FormatException("bad quantifier");
            _position = close + 1;
            return true;
        }

        private Node ParseAtom()
        {
            var c = pattern[_position++];
            switch (c)
            {
                case '(':
                    var zeroWidth = false;
                    if (_position < pattern.Length && pattern[_position] == '?')
                    {
                        _position++;
                        var kind = pattern[_position];
                        if (kind is '=' or '!')
                        {
                            zeroWidth = true;
                            _position++;
                        }
                        else if (kind == '<' && pattern[_position + 1] is '=' or '!')
                        {
                            zeroWidth = true;
                            _position += 2;
                        }
                        else if (kind == ':')
                        {
                            _position++;
                        }
                        else if (kind == '<')
                        {
                            _position = pattern.IndexOf('>', _position) + 1;
                        }
                        else
                        {
                            throw new FormatException("unsupported group");
                        }
                    }

                    var inner = ParseAlternation();
                    if (_position >= pattern.Length || pattern[_position] != ')')
                    {
                        throw new FormatException("unbalanced parenthesis");
                    }

                    _position++;
                    return zeroWidth ? new Node.Empty() : inner;
                case '[':
                    var start = _position;
                    for (; _position < pattern.Length && pattern[_position] != ']'; _position++)
                    {
                        if (pattern[_position] == '\\')
                        {
                            _position++;
                        }
                    }

                    _position++;
                    return new Node.AnyChar(ClassCanBeSpace(pattern.AsSpan(start, Math.Max(0, _position - 1 - start))));
                case '\\':
                    var escaped = pattern[_position++];
                    HasBackreference |= escaped is (>= '1' and <= '9') or 'k';
                    return escaped switch
                    {
                        'b' or 'B' or 'A' or 'z' or 'Z' or 'G' => new Node.Empty(),
                        _ when char.IsAsciiLetterOrDigit(escaped) => new Node.AnyChar(EscapeCanBeSpace(escaped)),
                        _ => new Node.Lit(escaped),
                    };
                case '.':
                    return new Node.AnyChar(CanBeSpace: true);
                case '^' or '$':
                    return new Node.Empty();
                default:
                    return new Node.Lit(c);
            }
        }
    }
}

namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// Which (first letter, last letter) pairs the keys of a word index have, so that most words of a text are turned
/// away with two table reads instead of hashing them for a dictionary look-up. A word whose pair is absent is in no
/// key; one whose pair is present still needs the look-up. Digits have their own places; any other character shares one.
/// </summary>
internal sealed class FirstLastFilter
{
    private const int Buckets = 37;

    private readonly ulong[] _bits = new ulong[((Buckets * Buckets) + 63) / 64];

    public void Add(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty)
        {
            return;
        }

        var bit = Bit(key);
        _bits[bit >> 6] |= 1UL << (bit & 63);
    }

    public bool MayContain(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty)
        {
            return false;
        }

        var bit = Bit(key);
        return (_bits[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    private static int Bit(ReadOnlySpan<char> key) => (Bucket(key[0]) * Buckets) + Bucket(key[^1]);

    private static int Bucket(char c) => c switch
    {
        >= 'a' and <= 'z' => c - 'a',
        >= '0' and <= '9' => 26 + (c - '0'),
        _ => 36,
    };
}

namespace Moderation.Domain.Screening.Names;

/// <summary>How much context a forename needs before it counts as a name on its own (ADR 0101).</summary>
internal enum WordNameTier
{
    /// <summary>An ordinary name: matched in any case, anywhere.</summary>
    None,

    /// <summary>Also an everyday word ("Grace", "Hope", "Will"): matched alone only where it reads as a name.</summary>
    Word,

    /// <summary>A month, season, place or school subject ("May", "Summer", "Devon", "Art"): alone only after a
    /// greeting or beside another pupil's name.</summary>
    Restricted,
}

/// <summary>
/// The small embedded word lists behind the matching rules. All entries are folded (lower case, no diacritics) and,
/// for names of more than one word, joined by single spaces. The reasons are in docs/adr/0101-common-word-first-names.md.
/// </summary>
internal static class NameLexicon
{
    /// <summary>Forenames that are also everyday words.</summary>
    private static readonly HashSet<string> s_wordNames = Set(
        "grace", "hope", "faith", "joy", "charity", "patience", "prudence", "mercy", "honour", "honor", "harmony",
        "melody", "destiny", "liberty", "justice", "trinity", "bliss", "blessing", "precious", "gift", "angel", "heaven",
        "haven", "will", "bill", "mark", "pat", "rob", "sue", "don", "guy", "ray", "dean", "drew", "chase", "frank",
        "rich", "reed", "cliff", "dale", "glen", "heath", "forest", "clay", "stone", "flint", "rock", "rocky", "rusty",
        "dusty", "buddy", "lance", "chip", "bud", "sonny", "sunny", "misty", "earl", "duke", "king", "prince", "royal",
        "major", "noble", "sterling", "penny", "honey", "candy", "sugar", "cherry", "berry", "apple", "peach", "rose",
        "lily", "daisy", "poppy", "holly", "ivy", "iris", "violet", "jasmine", "heather", "hazel", "willow", "rowan",
        "ash", "olive", "saffron", "ginger", "basil", "sage", "bay", "jade", "ruby", "pearl", "amber", "crystal",
        "jewel", "coral", "ebony", "ivory", "sky", "storm", "rain", "river", "brook", "ocean", "star", "dawn", "eve",
        "robin", "kit", "max", "blue", "red", "gray", "grey", "scarlet", "echo", "lucky", "happy", "merry", "sandy",
        "marina", "cash", "hunter", "piper", "archer",
        // Short forenames (Vietnamese An and My, for example) that are also English function words.
        "an", "so", "do", "ha", "oh", "ma", "pa", "no", "my", "me", "we", "us", "to", "in", "on", "at", "by", "is",
        "it", "as", "or", "if", "go", "be", "he", "hi", "up");

    /// <summary>Forenames whose capitalised use is usually not a name: months, seasons, places, school subjects.</summary>
    private static readonly HashSet<string> s_restrictedNames = Set(
        "may", "june", "april", "august", "summer", "autumn", "winter", "spring", "easter", "christmas", "noel",
        "art", "paris", "india", "devon", "lincoln", "chester", "china", "asia", "africa", "america", "kent");

    /// <summary>
    /// Among the most common surnames in the UK (England and Wales, Scotland, Ireland and the largest
    /// British Asian, Chinese and Vietnamese communities): never matched alone, only with a forename or initial.
    /// </summary>
    private static readonly HashSet<string> s_commonSurnames = Set(
        "smith", "jones", "williams", "taylor", "brown", "davies", "evans", "wilson", "thomas", "johnson", "roberts",
        "robinson", "thompson", "wright", "walker", "white", "edwards", "hughes", "green", "hall", "lewis", "harris",
        "clarke", "patel", "jackson", "wood", "turner", "martin", "cooper", "hill", "ward", "morris", "moore", "clark",
        "lee", "king", "baker", "harrison", "morgan", "allen", "james", "scott", "phillips", "watson", "davis", "parker",
        "price", "bennett", "young", "griffiths", "mitchell", "kelly", "cook", "carter", "richardson", "bailey",
        "collins", "bell", "shaw", "murphy", "miller", "cox", "richards", "khan", "marshall", "anderson", "simpson",
        "ellis", "adams", "singh", "begum", "wilkinson", "foster", "chapman", "powell", "webb", "rogers", "gray",
        "grey", "mason", "ali", "hunt", "hussain", "campbell", "matthews", "owen", "palmer", "holmes", "mills", "barnes",
        "knight", "lloyd", "butler", "russell", "barker", "fisher", "stevens", "jenkins", "murray", "dixon", "harvey",
        "graham", "pearson", "ahmed", "fletcher", "walsh", "kaur", "gibson", "howard", "andrews", "stewart", "elliott",
        "reynolds", "saunders", "payne", "fox", "ford", "pearce", "day", "brooks", "west", "lawrence", "cole",
        "atkinson", "bradley", "spencer", "gill", "dawson", "ball", "burton", "o brien", "obrien", "watts", "rose",
        "booth", "perry", "ryan", "grant", "wells", "armstrong", "francis", "rees", "hayes", "hart", "hudson", "newman",
        "barrett", "webster", "hunter", "gregory", "carr", "lowe", "page", "marsh", "riley", "dunn", "woods", "parsons",
        "berry", "stone", "reid", "holland", "hawkins", "harding", "porter", "robertson", "newton", "oliver", "reed",
        "kennedy", "williamson", "bird", "gardner", "shah", "dean", "lane", "cooke", "bates", "henderson", "parry",
        "burgess", "bishop", "walton", "burns", "nicholson", "shepherd", "ross", "cross", "long", "freeman", "warren",
        "nicholls", "hamilton", "byrne", "sutton", "mcdonald", "macdonald", "yates", "hodgson", "robson", "curtis",
        "hopkins", "o connor", "oconnor", "harper", "coleman", "watkins", "moss", "mccarthy", "chambers", "o neill",
        "oneill", "griffin", "sharp", "hardy", "wheeler", "potter", "osborne", "johnston", "gordon", "doyle", "wallace",
        "george", "jordan", "hutchinson", "reeves", "thomson", "paterson", "fraser", "morrison", "kerr", "cameron",
        "ferguson", "duncan", "black", "macleod", "mckenzie", "gallagher", "quinn", "lynch", "doherty", "reilly",
        "o reilly", "brennan", "mclaughlin", "bevan", "pritchard", "vaughan", "howells", "hassan", "mahmood", "iqbal",
        "malik", "akhtar", "rahman", "islam", "miah", "uddin", "sharma", "kumar", "chowdhury", "bibi", "mohammed",
        "mohammad", "muhammad", "ahmad", "hussein", "choudhury", "chen", "wang", "zhang", "liu", "yang", "huang",
        "nguyen", "tran", "pham", "le", "kaya", "yilmaz", "nowak");

    /// <summary>Everyday English words that are also surnames: a capitalised "Baker" or "Wood" is not a pupil.</summary>
    private static readonly HashSet<string> s_surnameWords = Set(
        "baker", "brown", "white", "green", "black", "young", "king", "wood", "woods", "hill", "hall", "long", "little",
        "best", "bird", "rice", "page", "field", "fields", "bell", "price", "ward", "cook", "hunt", "marsh", "cross",
        "moss", "bush", "lamb", "fox", "swift", "wolf", "bear", "day", "march", "english", "french", "welsh", "law",
        "love", "friend", "child", "church", "chapel", "house", "street", "lane", "park", "bridge", "bridges", "banks",
        "rivers", "waters", "lake", "pond", "steel", "gold", "silver", "poor", "good", "strong", "short", "small",
        "sharp", "bright", "sweet", "fair", "wise", "bold", "hardy", "moody", "dear", "darling", "bishop", "pope",
        "knight", "lord", "judge", "abbott", "monk", "priest", "sergeant", "marshall", "chambers", "gates", "wall",
        "walls", "mill", "mills", "well", "wells", "pool", "poole", "castle", "tower", "barn", "barnes", "yard", "holt",
        "moor", "vale", "shore", "beach", "coast", "port", "ford", "grove", "frost", "snow", "north", "south", "east",
        "west", "walker", "turner", "taylor", "tailor", "weaver", "dyer", "potter", "fisher", "miller", "mason",
        "carpenter", "butcher", "barber", "cooper", "carter", "fowler", "sawyer", "smith", "tanner", "thatcher",
        "slater", "glover", "hooper", "chandler", "steward", "parsons", "clerk", "read", "reading", "reader", "rush",
        "ball", "horn", "drum", "crane", "heron", "wren", "jay", "peacock", "swan", "finch", "sparrow", "crow", "drake",
        "hawk", "fish", "salmon", "pike", "bull", "buck", "hart", "stag", "hogg", "boar", "bunting", "nightingale",
        "partridge", "bee", "hay", "straw", "wheat", "barley", "bean", "plum", "pear", "lemon", "pepper", "salt",
        "bloom", "root", "leaf", "branch", "thorn", "bramble", "oak", "birch", "elm", "cotton", "wool", "flower",
        "flowers", "monday", "friday", "sunday", "old", "new", "goodman", "kindness", "gentle", "keen", "quick",
        "proud", "road", "way", "side", "end", "sands", "sand", "wild", "cloud", "sun", "moon", "starr", "bolt", "iron",
        "copper", "brass", "lead", "tin", "coal", "gay", "jolly", "savage", "world", "peace", "joy", "money", "penny",
        "fear", "hate", "care", "hay", "barrow", "cart", "coach", "driver", "head", "hand", "foot", "arm", "legg",
        "back", "front", "chance", "luck", "fortune", "pride", "mercer", "nobel", "ash", "power", "powers", "bond",
        "bonds", "bank", "wing", "wings", "blue", "amber");

    /// <summary>Name particles that never identify anyone on their own ("van", "der", "Al", "O" of "O'Brien").</summary>
    private static readonly HashSet<string> s_particles = Set(
        "al", "el", "ul", "bin", "bint", "ibn", "abu", "van", "von", "der", "den", "de", "del", "della", "di", "da",
        "das", "dos", "du", "la", "le", "lo", "st", "ter", "ten", "mac", "mc", "o", "ni", "nic", "ap", "ben", "bat", "y",
        "e", "d", "l");

    /// <summary>Adult titles (and saints): "Mrs Smith" is a teacher or a parent, "St Mary's" a church or a school.</summary>
    private static readonly HashSet<string> s_titles = Set(
        "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lady", "lord", "prof", "professor", "rev", "revd",
        "reverend", "st", "saint", "sts", "mister", "madam", "mme", "mlle", "cllr", "councillor", "captain", "capt");

    /// <summary>Determiners: "the Amber warning" and "a Rose" are not pupils.</summary>
    private static readonly HashSet<string> s_determiners = Set(
        "a", "an", "the", "this", "that", "these", "those", "our", "your", "their", "my", "his", "her", "its", "some",
        "any", "every", "each", "no", "what", "which", "whose");

    /// <summary>Greetings and thanks that put a name after them ("Well done Grace", "thank you to May").</summary>
    private static readonly HashSet<string> s_greetings = Set(
        "congratulations", "congrats", "thanks", "dear", "bravo", "hello", "hi", "hey", "cheers", "well done",
        "thank you", "happy birthday", "good luck", "shout out", "big thanks");

    /// <summary>The greetings that may be followed by "to" before the name ("well done to Grace").</summary>
    private static readonly HashSet<string> s_greetingsWithTo = Set(
        "congratulations", "congrats", "thanks", "well done", "thank you", "happy birthday", "good luck", "shout out",
        "big thanks");

    public static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Titles { get; } = s_titles.GetAlternateLookup<ReadOnlySpan<char>>();

    public static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Determiners { get; } = s_determiners.GetAlternateLookup<ReadOnlySpan<char>>();

    public static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Greetings { get; } = s_greetings.GetAlternateLookup<ReadOnlySpan<char>>();

    public static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> GreetingsWithTo { get; } = s_greetingsWithTo.GetAlternateLookup<ReadOnlySpan<char>>();

    public static HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Particles { get; } = s_particles.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The tier of a forename written as folded tokens; a forename of several words is a word-name only if
    /// every word is one.</summary>
    public static WordNameTier TierOf(IReadOnlyList<string> forenameTokens)
    {
        if (forenameTokens.Count == 0)
        {
            return WordNameTier.None;
        }

        if (forenameTokens.Count == 1 && s_restrictedNames.Contains(forenameTokens[0]))
        {
            return WordNameTier.Restricted;
        }

        foreach (var token in forenameTokens)
        {
            if (!s_wordNames.Contains(token) && !s_restrictedNames.Contains(token))
            {
                return WordNameTier.None;
            }
        }

        return WordNameTier.Word;
    }

    /// <summary>Whether every token is an everyday word (for "Rose Hill", a full name made only of words).</summary>
    public static bool AreAllWords(IReadOnlyList<string> tokens)
    {
        foreach (var token in tokens)
        {
            if (!IsWord(token))
            {
                return false;
            }
        }

        return tokens.Count > 0;
    }

    /// <summary>
    /// A surname (or one part of a double-barrelled surname) is rare enough to match alone when it has at least three
    /// letters, is not a particle, is not among the most common UK surnames and is not an everyday word.
    /// </summary>
    public static bool IsRareSurname(IReadOnlyList<string> tokens)
    {
        var letters = 0;
        var meaningful = 0;
        foreach (var token in tokens)
        {
            letters += token.Length;
            if (!s_particles.Contains(token))
            {
                meaningful++;
            }
        }

        if (letters < 3 || meaningful == 0)
        {
            return false;
        }

        var key = string.Join(' ', tokens);
        if (s_commonSurnames.Contains(key) || s_commonSurnames.Contains(string.Concat(tokens)))
        {
            return false;
        }

        return tokens.Count > 1 || !IsWord(tokens[0]);
    }

    public static bool IsParticle(string token) => s_particles.Contains(token);

    private static bool IsWord(string token) =>
        s_surnameWords.Contains(token) || s_wordNames.Contains(token) || s_restrictedNames.Contains(token)
        || s_particles.Contains(token);

    private static HashSet<string> Set(params string[] words) => new(words, StringComparer.Ordinal);
}

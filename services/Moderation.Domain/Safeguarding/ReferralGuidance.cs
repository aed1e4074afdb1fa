namespace Moderation.Domain.Safeguarding;

/// <summary>Short guidance for one agency: when to use it, what to have ready, and how to reach it.</summary>
public sealed record AgencyGuidance(ReferralAgency Agency, string Name, string WhenToUse, IReadOnlyList<string> HaveReady, string HowToReach);

/// <summary>
/// What the product tells a DSL about each agency, and which referrals a case's category calls for (DOMAIN.md
/// "Safeguarding"). It is a prompt, not legal advice: the school's own safeguarding policy and its local
/// safeguarding partnership's procedures come first.
/// </summary>
public static class ReferralGuidance
{
    private static readonly string[] s_caseBasics =
    [
        "the case reference and the evidence export's bundle SHA-256",
        "the platform, the account and the post or comment id and address",
        "the date and time it was seen, and who saw it",
    ];

    public static IReadOnlyList<AgencyGuidance> All { get; } =
    [
        new(ReferralAgency.Ceop, "CEOP (National Crime Agency's Child Exploitation and Online Protection command)",
            "Online sexual abuse or grooming of a child: an adult asking a child for pictures, to meet, or to keep a secret; sexual messages to a child.",
            [.. s_caseBasics, "the other person's username and profile address", "what the child has said, in their words, without questioning them further"],
            "The CEOP Safety Centre online reporting form (ceop.police.uk). If a child is in immediate danger, call 999 first."),
        new(ReferralAgency.Police999, "Police (999)",
            "Immediate risk to life or safety: a threat to harm someone now, a child in danger, a disclosure of imminent self-harm or suicide.",
            ["where the child or person at risk is now, if known", "what was threatened and when", .. s_caseBasics],
            "Call 999. Record the call's time and the incident number in the referral."),
        new(ReferralAgency.Police101, "Police (101)",
            "A crime with no immediate danger: hate crime, harassment, malicious communications, suspected indecent images of children (alongside CEOP or the IWF).",
            [.. s_caseBasics, "the author's platform id and display name", "whether the content is still live"],
            "Call 101 or use your police force's online reporting. Ask for a crime reference number."),
        new(ReferralAgency.Lado, "LADO (Local Authority Designated Officer)",
            "An allegation that a member of staff or a volunteer has harmed a child, may have committed an offence against a child, or is unsuitable to work with children. Contact within one working day; do not investigate first.",
            ["the member of staff's name and role", "the allegation, in the words used", "what has been done so far", "whether the headteacher is the subject (the chair of governors then makes the referral)"],
            "Your local authority's LADO service (the number is in the school's safeguarding policy)."),
        new(ReferralAgency.ChildrensSocialCare, "Children's social care (MASH / front door)",
            "A child is suffering, or is likely to suffer, significant harm, or needs support the school cannot give.",
            ["the child's name, date of birth, address and school", "parents' or carers' details", "the concern and what the child said", "what the school has done so far"],
            "Your local authority's MASH or children's services front door; out of hours, its emergency duty team."),
        new(ReferralAgency.Prevent, "Prevent",
            "Concern that a child or adult is being drawn into terrorism or extremism: extremist material, recruitment, radicalising messages.",
            [.. s_caseBasics, "what makes you think it is extremist, and any links or symbols seen"],
            "The local authority's Prevent referral route, or the police on 101 (999 if there is an immediate threat)."),
        new(ReferralAgency.Iwf, "IWF (Internet Watch Foundation)",
            "Suspected indecent images of children found online. Report the address only: never download, copy, screenshot or forward the image.",
            ["the address (URL) of the image or page", "the platform ids kept in the evidence snapshot (the hash, never the image)"],
            "The IWF online reporting form (report.iwf.org.uk). It can be anonymous; tell CEOP or the police too if a child may be at risk."),
        new(ReferralAgency.Platform, "The platform's own report",
            "Any content that breaks the platform's rules; always alongside hiding it on the school's account.",
            ["the post or comment id and address", "the category of the report (for example child safety, hate, harassment)"],
            "The platform's report tool on the post or comment; keep the report's confirmation as the reference."),
    ];

    public static AgencyGuidance For(ReferralAgency agency) => All.First(g => g.Agency == agency);

    /// <summary>The referrals a category calls for (the flags shown on a case).</summary>
    public static IReadOnlyList<ReferralAgency> Suggested(string category) => category switch
    {
        CaseCategories.ChildSexualAbuse => [ReferralAgency.Ceop, ReferralAgency.Iwf, ReferralAgency.Police101, ReferralAgency.Platform],
        CaseCategories.Grooming => [ReferralAgency.Ceop, ReferralAgency.Platform],
        CaseCategories.ThreatToLife => [ReferralAgency.Police999, ReferralAgency.Platform],
        CaseCategories.Hate => [ReferralAgency.Police101, ReferralAgency.Platform],
        CaseCategories.AllegationAgainstStaff => [ReferralAgency.Lado],
        CaseCategories.Radicalisation => [ReferralAgency.Prevent, ReferralAgency.Platform],
        CaseCategories.Bullying => [ReferralAgency.Platform],
        _ => [],
    };
}

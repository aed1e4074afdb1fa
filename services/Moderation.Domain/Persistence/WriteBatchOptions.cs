namespace Moderation.Domain.Persistence;

/// <summary>How <see cref="SchoolWriteBatches"/> groups writes across schools (section <c>WriteBatches</c>).</summary>
public sealed class WriteBatchOptions
{
    public const string Section = "WriteBatches";

    /// <summary>
    /// How many lanes the schools are spread over for writes across schools (ADR 0609): that many transactions side by
    /// side. One puts every school in one lane; more keep more of the machine busy, at more transactions per body.
    /// </summary>
    public int Lanes { get; set; } = 4;
}

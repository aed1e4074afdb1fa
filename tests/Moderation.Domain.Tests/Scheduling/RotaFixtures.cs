using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Tests.Scheduling;

/// <summary>The staff of a small primary school and its trust, with readable ids.</summary>
internal static class Staff
{
    public static readonly Guid Amara = Id(1);
    public static readonly Guid Ben = Id(2);
    public static readonly Guid Chloe = Id(3);
    public static readonly Guid Dev = Id(4);
    public static readonly Guid Ellie = Id(5);
    public static readonly Guid Femi = Id(6);
    public static readonly Guid Head = Id(90);
    public static readonly Guid Dsl = Id(91);
    public static readonly Guid DeputyDsl = Id(92);
    public static readonly Guid LeadModerator = Id(93);

    public static readonly Guid Oakfield = new("5c000000-0000-0000-0000-000000000001");
    public static readonly Guid Riverside = new("5c000000-0000-0000-0000-000000000002");
    public static readonly Guid Hillcrest = new("5c000000-0000-0000-0000-000000000003");

    private static Guid Id(int n) => new($"00000000-0000-0000-0000-{n:D12}");
}

internal static class Rotas
{
    /// <summary>The instant London's clocks show this local time (skipped times jump forward, repeated ones are BST).</summary>
    public static DateTimeOffset London(int year, int month, int day, int hour = 0, int minute = 0) =>
        LondonTime.ToUtc(new DateTime(year, month, day, hour, minute, 0));

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    public static RotationLayer Rotation(
        string name,
        DateOnly startsOn,
        TimeOnly handoff,
        TimeSpan shiftLength,
        params Guid[] members) => new()
        {
            Id = Guid.NewGuid(),
            Name = name,
            Members = members,
            StartsOn = startsOn,
            HandoffTime = handoff,
            ShiftLength = shiftLength,
        };

    public static RotaDefinition SchoolRota(params RotationLayer[] layers) => new()
    {
        Id = Guid.NewGuid(),
        Name = "Oakfield Primary moderation",
        SchoolIds = [Staff.Oakfield],
        Layers = layers,
    };

    /// <summary>Who holds the single-owner view at each shift, with its local start, for readable assertions.</summary>
    public static IEnumerable<(Guid User, DateTime LocalStart, DateTime LocalEnd)> Handoffs(this FinalSchedule schedule) =>
        schedule.Primary.Select(s => (s.UserId, LondonTime.ToLocal(s.StartUtc), LondonTime.ToLocal(s.EndUtc)));
}

using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

/// <summary>
/// Property-style tests: a few hundred random rotas around both clock changes, from a fixed seed, so a failure
/// names its run and replays exactly.
/// </summary>
public sealed class ScheduleInvariantTests
{
    private const int Seed = 20270328;
    private static readonly Guid[] People = [Amara, Ben, Chloe, Dev, Ellie, Femi];

    private static readonly DateOnly[] Around =
        [new(2027, 3, 26), new(2027, 10, 29), new(2027, 2, 12), new(2027, 7, 21), new(2027, 12, 17)];

    private static readonly TimeSpan[] Lengths =
        [TimeSpan.FromHours(1), TimeSpan.FromMinutes(90), TimeSpan.FromHours(5), TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7)];

    private static readonly TimeOnly[] Handoffs = [new(0, 0), new(1, 30), new(8, 0), new(17, 45), new(23, 0)];

    [Fact]
    public void Random_rotas_tile_the_range_never_put_an_absent_person_on_duty_and_agree_with_an_instant_by_instant_model()
    {
        // Arrange
        var random = new Random(Seed);
        var problems = new List<string>();
        var seen = new Dictionary<string, int>();
        for (var run = 0; run < 300; run++)
        {
            var (rota, from, to) = RandomRota(random);
            var because = $"run {run} of seed {Seed}";

            // Act
            var schedule = ScheduleCalculator.Compute(rota, from, to);

            // Assert (collected, so that one failure lists every broken run)
            problems.AddRange(TilingProblems(schedule, from, to).Select(p => $"{because}: {p}"));
            problems.AddRange(ShiftProblems(schedule, rota, from, to).Select(p => $"{because}: {p}"));
            foreach (var (instant, i) in Samples(schedule, random).Select((x, i) => (x, i)))
            {
                foreach (var kind in Kinds(NaiveSchedule.At(rota, instant)))
                {
                    seen[kind] = seen.GetValueOrDefault(kind) + 1;
                }

                problems.AddRange(NaiveModelProblems(rota, schedule, instant, withOnDutyAt: i % 3 == 0).Select(p => $"{because} at {instant:O}: {p}"));
            }
        }

        problems.Take(20).Should().BeEmpty("{0} problems in all", problems.Count);
        seen.Should().ContainKeys(["Rotation", "Override", "Cover", "Several", GapReason.NoCover.ToString(), GapReason.Holiday.ToString(), GapReason.OutsideRotaHours.ToString()]);
        seen.Values.Should().OnlyContain(count => count >= 50, "the check is only as good as its samples: {0}", string.Join(", ", seen));
    }

    [Fact]
    public void Random_assignment_requests_always_have_an_owner_or_an_alert_and_safeguarding_never_reaches_a_moderator()
    {
        var random = new Random(Seed);
        var leads = new SafeguardingLeads([Dsl], [DeputyDsl]);
        for (var run = 0; run < 500; run++)
        {
            // Arrange
            var onDuty = People.Where(_ => random.Next(3) > 0)
                .Select(p => new DutyCandidate(p, new Workload(random.Next(0, 6), random.Next(4) == 0 ? null : random.Next(1, 5)), random.Next(4) == 0 ? Femi : null))
                .ToList();
            var everyone = People.Append(LeadModerator).Append(Head).Append(Dsl).Append(DeputyDsl).ToArray();
            var request = new AssignmentRequest
            {
                OnDuty = onDuty,
                Escalation = random.Next(4) == 0 ? EscalationPolicy.None : new EscalationPolicy([[LeadModerator], [Head]]),
                IsSafeguarding = random.Next(3) == 0,
                Safeguarding = random.Next(5) == 0 ? SafeguardingLeads.None : leads,
                AlreadyTried = everyone.Where(_ => random.Next(4) == 0).ToHashSet(),
                Absent = everyone.Where(_ => random.Next(5) == 0).ToHashSet(),
            };
            var because = $"run {run} of seed {Seed}";

            // Act
            var decision = AssignmentPlanner.Choose(request);

            // Assert
            if (decision.UserId is null)
            {
                decision.RaiseAlert.Should().BeTrue(because);
                decision.Reason.Should().Be(AssignmentReason.NoOwner, because);
            }

            if (decision.Reason is AssignmentReason.Escalation or AssignmentReason.LastResort or AssignmentReason.NoOwner)
            {
                decision.RaiseAlert.Should().BeTrue(because);
            }

            if (request.IsSafeguarding && decision.UserId is { } owner)
            {
                new[] { Dsl, DeputyDsl, Head }.Should().Contain(owner, because);
            }

            if (decision.Reason is AssignmentReason.OnDuty or AssignmentReason.Cover or AssignmentReason.Overflow)
            {
                var chosen = onDuty.First(c => c.UserId == decision.UserId);
                chosen.Workload.AtCap.Should().BeFalse(because);
                request.AlreadyTried.Should().NotContain(chosen.UserId, because);
                request.Absent.Should().NotContain(chosen.UserId, because);
                decision.RaiseAlert.Should().BeFalse(because);
            }
        }
    }

    private static IEnumerable<string> TilingProblems(FinalSchedule schedule, DateTimeOffset from, DateTimeOffset to)
    {
        if (!IsAscending(schedule.Primary.Select(s => s.StartUtc)) || !IsAscending(schedule.Gaps.Select(g => g.StartUtc)))
        {
            yield return "primary shifts or gaps out of order";
        }

        var pieces = schedule.Primary.Select(s => (s.StartUtc, s.EndUtc))
            .Concat(schedule.Gaps.Select(g => (g.StartUtc, g.EndUtc)))
            .OrderBy(p => p.StartUtc);
        var cursor = from;
        foreach (var (start, end) in pieces)
        {
            if (start != cursor || end <= start)
            {
                yield return $"[{start:O}, {end:O}) does not follow on from {cursor:O}";
            }

            cursor = end;
        }

        if (cursor != to)
        {
            yield return $"the primary view and gaps end at {cursor:O}, not {to:O}";
        }
    }

    private static IEnumerable<string> ShiftProblems(FinalSchedule schedule, RotaDefinition rota, DateTimeOffset from, DateTimeOffset to)
    {
        foreach (var shift in schedule.Shifts.Concat(schedule.Primary))
        {
            if (shift.StartUtc < from || shift.EndUtc > to || shift.EndUtc <= shift.StartUtc)
            {
                yield return $"{shift} is empty or outside the range";
            }

            if ((shift.Source == ShiftSource.Cover) != (shift.CoveringFor is not null))
            {
                yield return $"{shift}: only cover shifts say whom they cover for";
            }

            if (rota.Absences.Any(a => a.UserId == shift.UserId && a.StartUtc < shift.EndUtc && shift.StartUtc < a.EndUtc))
            {
                yield return $"{shift}: on duty while absent";
            }
        }

        foreach (var same in schedule.Shifts.GroupBy(s => (s.UserId, s.Source, s.SourceName, s.CoveringFor, s.Layer)))
        {
            var ordered = same.OrderBy(s => s.StartUtc).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].StartUtc <= ordered[i - 1].EndUtc)
                {
                    yield return $"{ordered[i]} overlaps or touches {ordered[i - 1]}: shifts from one source are joined";
                }
            }
        }
    }

    // OnDutyAt computes a fortnight around the instant, so it is checked at a third of the samples to keep this fast.
    private static IEnumerable<string> NaiveModelProblems(RotaDefinition rota, FinalSchedule schedule, DateTimeOffset instant, bool withOnDutyAt)
    {
        var (expected, gap) = NaiveSchedule.At(rota, instant);

        var onDuty = withOnDutyAt ? ScheduleCalculator.OnDutyAt(rota, instant) : [];
        var actual = onDuty.Select(s => new NaiveSchedule.Duty(s.UserId, s.Source, s.CoveringFor)).ToList();
        if (withOnDutyAt && !actual.SequenceEqual(expected))
        {
            yield return $"OnDutyAt gave [{string.Join(", ", actual)}], the model [{string.Join(", ", expected)}]";
        }

        if (onDuty.Any(s => !s.Contains(instant)))
        {
            yield return "OnDutyAt returned a shift that does not contain the instant";
        }

        var primary = schedule.Primary.Where(s => s.Contains(instant)).Select(s => s.UserId).ToList();
        var gaps = schedule.Gaps.Where(g => g.Contains(instant)).Select(g => g.Reason).ToList();
        var everyone = schedule.Shifts.Where(s => s.Contains(instant)).Select(s => s.UserId).Order().ToList();
        if (expected.Count > 0 && (!primary.SequenceEqual([expected[0].UserId]) || gaps.Count > 0 || !everyone.SequenceEqual(expected.Select(d => d.UserId).Order())))
        {
            yield return $"Compute has primary [{string.Join(", ", primary)}], shifts [{string.Join(", ", everyone)}] and {gaps.Count} gaps";
        }

        if (expected.Count == 0 && (primary.Count > 0 || !gaps.SequenceEqual([gap!.Value])))
        {
            yield return $"Compute has primary [{string.Join(", ", primary)}] and gaps [{string.Join(", ", gaps)}], the model a {gap} gap";
        }
    }

    private static IEnumerable<string> Kinds((List<NaiveSchedule.Duty> OnDuty, GapReason? Gap) expected)
    {
        foreach (var source in expected.OnDuty.Select(d => d.Source).Distinct())
        {
            yield return source.ToString();
        }

        if (expected.OnDuty.Count > 1)
        {
            yield return "Several";
        }

        if (expected.Gap is { } gap)
        {
            yield return gap.ToString();
        }
    }

    private static bool IsAscending(IEnumerable<DateTimeOffset> instants) =>
        instants.Zip(instants.Skip(1)).All(pair => pair.First <= pair.Second);

    private static IEnumerable<DateTimeOffset> Samples(FinalSchedule schedule, Random random)
    {
        var edges = schedule.Primary.Select(s => s.StartUtc).Concat(schedule.Gaps.Select(g => g.StartUtc)).OrderBy(x => x).Take(12);
        foreach (var edge in edges)
        {
            yield return edge;
            if (edge > schedule.From)
            {
                yield return edge.AddTicks(-1);
            }
        }

        var span = (schedule.To - schedule.From).Ticks;
        for (var i = 0; i < 6; i++)
        {
            yield return schedule.From.AddTicks((long)(random.NextDouble() * span));
        }
    }

    private static (RotaDefinition Rota, DateTimeOffset From, DateTimeOffset To) RandomRota(Random random)
    {
        var around = Around[random.Next(Around.Length)];
        var from = London(around.Year, around.Month, around.Day).AddDays(random.Next(-3, 3)).AddMinutes(random.Next(0, 24 * 60));
        var to = from.AddMinutes(random.Next(60, 21 * 24 * 60));
        var span = (int)(to - from).TotalMinutes;

        var layers = Enumerable.Range(0, random.Next(1, 4)).Select(i => new RotationLayer
        {
            Id = Guid.NewGuid(),
            Name = $"Rotation {i}",
            Layer = random.Next(1, 3),
            Members = [.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => People[random.Next(People.Length)])],
            StartsOn = around.AddDays(random.Next(-20, 5)),
            HandoffTime = random.Next(3) == 0 ? new TimeOnly(random.Next(24), random.Next(60)) : Handoffs[random.Next(Handoffs.Length)],
            ShiftLength = Lengths[random.Next(Lengths.Length)],
            Restrictions = random.Next(10) switch
            {
                < 4 => [],
                < 7 => WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0)),
                _ => [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => new WeeklyWindow(
                    (DayOfWeek)random.Next(7),
                    random.Next(4) == 0 ? new TimeOnly(1, 30) : new TimeOnly(random.Next(24), 0),
                    new TimeOnly(random.Next(24), random.Next(2) * 30)))],
            },
            RunsInHolidays = random.Next(2) == 0,
        }).ToList();

        var overrides = Enumerable.Range(0, random.Next(0, 4)).Select(i =>
        {
            var start = from.AddMinutes(random.Next(-24 * 60, span));
            return new RotaOverride(People[random.Next(People.Length)], start, start.AddMinutes(random.Next(30, 48 * 60)), $"Override {i}");
        }).ToList();

        var absences = Enumerable.Range(0, random.Next(0, 6)).Select(_ =>
        {
            var user = People[random.Next(People.Length)];
            var start = from.AddMinutes(random.Next(-48 * 60, span));
            Guid? cover = random.Next(2) == 0 ? People.Where(p => p != user).ElementAt(random.Next(People.Length - 1)) : null;
            return new Absence(user, start, start.AddMinutes(random.Next(60, 4 * 24 * 60)), (AbsenceKind)random.Next(4), cover);
        }).ToList();

        var closureStart = around.AddDays(random.Next(-4, 4));
        var closure = (closureStart, closureStart.AddDays(random.Next(0, 5)));
        var calendar = random.Next(4) switch
        {
            0 or 1 => TermCalendar.AllYear,
            2 => new TermCalendar
            {
                Terms = [new DateRange("Term", around.AddDays(-10), around.AddDays(random.Next(-2, 8)))],
                Closures = [new DateRange("INSET day", closure.Item1, closure.Item2)],
            },
            _ => new TermCalendar { Closures = [new DateRange("Half term", closure.Item1, closure.Item2)] },
        };

        var rota = new RotaDefinition
        {
            Id = Guid.NewGuid(),
            Name = "Random",
            SchoolIds = [Oakfield],
            Layers = layers,
            Overrides = overrides,
            Absences = absences,
            CoverPool = random.Next(2) == 0 ? [] : [.. People.Where(_ => random.Next(3) == 0).OrderBy(_ => random.Next())],
            Calendar = calendar,
        };
        return (rota, from, to);
    }
}

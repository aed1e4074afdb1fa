using BenchmarkDotNet.Attributes;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;

namespace Moderation.Benchmarks.Rota;

/// <summary>
/// A trust of 50 schools, each with its own rota of 10 moderators: daily turns in school hours (Mon–Fri 08:00–18:00)
/// on layer 1, an evening check on layer 2, two people in the cover pool, the autumn term with its half term, and a
/// handful of absences (some with a named cover) and overrides, as a real term has.
/// </summary>
public static class BenchmarkTrust
{
    public const int Schools = 50;
    public const int ModeratorsPerSchool = 10;

    /// <summary>Autumn term 2026, as the rotas' calendar has it.</summary>
    public static readonly DateTimeOffset TermStart = LondonTime.ToUtc(new DateOnly(2026, 9, 1), new TimeOnly(0, 0));
    public static readonly DateTimeOffset TermEnd = LondonTime.ToUtc(new DateOnly(2026, 12, 19), new TimeOnly(0, 0));

    public static IReadOnlyList<RotaDefinition> Build()
    {
        var random = new Random(20261201);
        var calendar = new TermCalendar
        {
            Terms = [new DateRange("Autumn term", new DateOnly(2026, 9, 1), new DateOnly(2026, 12, 18))],
            Closures = [new DateRange("October half term", new DateOnly(2026, 10, 26), new DateOnly(2026, 10, 30))],
        };
        var rotas = new List<RotaDefinition>(Schools);
        for (var s = 0; s < Schools; s++)
        {
            var school = Guid.NewGuid();
            var people = Enumerable.Range(0, ModeratorsPerSchool).Select(_ => Guid.NewGuid()).ToArray();
            var absences = new List<Absence>();
            for (var a = 0; a < 6; a++)
            {
                var who = people[random.Next(people.Length)];
                var start = TermStart.AddDays(random.Next(0, 100)).AddHours(random.Next(0, 24));
                var cover = a % 2 == 0 ? people.First(p => p != who) : (Guid?)null;
                absences.Add(new Absence(who, start, start.AddDays(random.Next(1, 6)), AbsenceKind.Leave, cover));
            }

            var overrides = Enumerable.Range(0, 3).Select(_ =>
            {
                var start = TermStart.AddDays(random.Next(0, 100)).AddHours(8);
                return new RotaOverride(people[random.Next(people.Length)], start, start.AddHours(4), "swap");
            }).ToList();
            rotas.Add(new RotaDefinition
            {
                Id = Guid.NewGuid(),
                Name = $"School {s + 1} rota",
                SchoolIds = [school],
                Layers =
                [
                    new RotationLayer
                    {
                        Id = Guid.NewGuid(), Name = "School hours", Layer = 1, Members = people[..8],
                        StartsOn = new DateOnly(2026, 9, 1), HandoffTime = new TimeOnly(8, 0), ShiftLength = TimeSpan.FromDays(1),
                        Restrictions = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0)),
                    },
                    new RotationLayer
                    {
                        Id = Guid.NewGuid(), Name = "Evening check", Layer = 2, Members = people[8..],
                        StartsOn = new DateOnly(2026, 9, 1), HandoffTime = new TimeOnly(18, 0), ShiftLength = TimeSpan.FromDays(7),
                        Restrictions = WeeklyWindow.SchoolDays(new TimeOnly(18, 0), new TimeOnly(20, 0)),
                    },
                ],
                Overrides = overrides,
                Absences = absences,
                CoverPool = [people[0], people[9]],
                Calendar = calendar,
            });
        }

        return rotas;
    }
}

/// <summary>Issue 4's figures: the final schedule of the whole trust for a term, and one assignment decision.</summary>
[MemoryDiagnoser]
public class RotaBenchmarks
{
    private IReadOnlyList<RotaDefinition> _rotas = [];
    private Guid _school;
    private DateTimeOffset _instant;
    private EscalationPolicy _escalation = EscalationPolicy.None;
    private IReadOnlyList<WeeklyWindow> _schoolHours = [];

    [GlobalSetup]
    public void Setup()
    {
        _rotas = BenchmarkTrust.Build();
        _school = _rotas[17].SchoolIds[0];
        _instant = LondonTime.ToUtc(new DateOnly(2026, 11, 18), new TimeOnly(10, 30));
        _escalation = new EscalationPolicy([[Guid.NewGuid()], [Guid.NewGuid()]]);
        _schoolHours = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0));
    }

    /// <summary>Every school's final schedule for the autumn term (shifts, covers and gaps).</summary>
    [Benchmark]
    public int TrustScheduleForTerm()
    {
        var shifts = 0;
        foreach (var rota in _rotas)
        {
            shifts += ScheduleCalculator.Compute(rota, BenchmarkTrust.TermStart, BenchmarkTrust.TermEnd).Shifts.Count;
        }

        return shifts;
    }

    /// <summary>
    /// One assignment decision as the router makes it once its rows are read: who is on duty for the school among the
    /// trust's 50 rotas, their workloads, the planner's choice and the due time.
    /// </summary>
    [Benchmark]
    public DateTimeOffset OneAssignmentDecision()
    {
        var onDuty = ScheduleCalculator.OnDutyForSchool(_rotas, _school, _instant);
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = DutyCandidate.FromShifts(onDuty, _ => new Workload(3, 15)),
            Escalation = _escalation,
        });
        return decision.UserId is null ? _instant : DueTimeCalculator.DueAt(_instant, TimeSpan.FromMinutes(30), TimeSpan.FromHours(4), _schoolHours);
    }
}

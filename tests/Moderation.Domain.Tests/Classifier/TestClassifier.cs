using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moderation.Domain.Screening.Classifier;

namespace Moderation.Domain.Tests.Classifier;

/// <summary>The classifier as a host gets it: configuration, <see cref="ClassifierSetup.AddRiskClassifier"/>, DI.</summary>
internal static class TestClassifier
{
    /// <summary>Settings under <c>Screening:Classifier</c>, with the URL and a timeout generous enough for a busy build machine.</summary>
    public static ServiceProvider Services(Uri url, IEnumerable<(string Key, string Value)>? settings = null, TimeProvider? clock = null, LogSink? logs = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Screening:Classifier:Url"] = url.ToString(),
            ["Screening:Classifier:TimeoutMs"] = "5000",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[$"Screening:Classifier:{key}"] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs ?? new LogSink()).SetMinimumLevel(LogLevel.Debug));
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddRiskClassifier(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services.BuildServiceProvider();
    }

    public static IRiskClassifier Create(Uri url, params (string Key, string Value)[] settings) =>
        Services(url, settings).GetRequiredService<IRiskClassifier>();
}

/// <summary>A clock the test moves; timers still run on real time, so the classifier's timeout is unaffected.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Keeps every log message, to check what is (and is not) written.</summary>
internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((logLevel, category, formatter(state, exception)));
    }
}

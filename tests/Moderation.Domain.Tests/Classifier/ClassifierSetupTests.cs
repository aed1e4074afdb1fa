using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Classifier;

namespace Moderation.Domain.Tests.Classifier;

/// <summary>Which classifier a host gets from its configuration, and the start-up errors for settings that cannot work.</summary>
public sealed class ClassifierSetupTests
{
    private static readonly Uri s_url = new("http://127.0.0.1:9/classify");

    [Fact]
    public void Without_a_url_screening_is_by_rules_alone()
    {
        // Arrange
        var services = new ServiceCollection();

        // Act
        services.AddRiskClassifier(Configuration(("Url", ""), ("TimeoutMs", "0")));

        // Assert
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IRiskClassifier>().Should().BeOfType<NoRiskClassifier>("settings without a URL are not checked: nothing uses them");
    }

    [Fact]
    public void With_a_url_the_http_classifier_is_used_and_every_screening_shares_one_circuit()
    {
        // Arrange
        using var provider = TestClassifier.Services(s_url);

        // Act
        var first = provider.GetRequiredService<IRiskClassifier>();
        var second = provider.GetRequiredService<IRiskClassifier>();

        // Assert
        first.Should().BeOfType<HttpRiskClassifier>();
        provider.GetRequiredService<ClassifierResilience>().Should().BeSameAs(provider.GetRequiredService<ClassifierResilience>());
        first.Should().NotBeSameAs(second, "a typed client is made per use, from the shared handler pool");
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        // Act
        var options = Configuration(("Url", s_url.ToString())).GetSection(ClassifierOptions.Section).Get<ClassifierOptions>()!;

        // Assert
        options.Should().BeEquivalentTo(new
        {
            ApiKey = (string?)null,
            TimeoutMs = 800,
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDurationSeconds = 30,
            BreakDurationSeconds = 30,
            DefaultThreshold = 0.8,
            SevereThreshold = 0.95,
        });
        options.Thresholds.Should().BeEmpty();
        options.Validate().Should().BeEmpty();
    }

    [Fact]
    public void A_classifier_registered_first_is_kept()
    {
        // Arrange
        var services = new ServiceCollection();
        var fake = new NoRiskClassifier();
        services.AddSingleton<IRiskClassifier>(fake);

        // Act
        services.AddRiskClassifier(Configuration(("Url", s_url.ToString())));

        // Assert
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IRiskClassifier>().Should().BeSameAs(fake);
        services.Should().ContainSingle(d => d.ServiceType == typeof(IRiskClassifier));
    }

    [Fact]
    public void Screening_for_a_host_takes_the_classifier_from_its_configuration()
    {
        // Arrange
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Screening:Classifier:Url"] = s_url.ToString() });
        builder.Services.AddLogging();

        // Act
        builder.AddModerationScreening();

        // Assert
        using var host = builder.Build();
        host.Services.GetRequiredService<IRiskClassifier>().Should().BeOfType<HttpRiskClassifier>();
    }

    [Theory]
    [InlineData("Url", "classifier.local/score", "Screening:Classifier:Url 'classifier.local/score' is not an absolute http or https URL.")]
    [InlineData("Url", "ftp://127.0.0.1/score", "Screening:Classifier:Url 'ftp://127.0.0.1/score' is not an absolute http or https URL.")]
    [InlineData("TimeoutMs", "0", "Screening:Classifier:TimeoutMs must be between 10 and 86400000 milliseconds; it is 0.")]
    [InlineData("TimeoutMs", "-800", "Screening:Classifier:TimeoutMs must be between 10 and 86400000 milliseconds; it is -800.")]
    [InlineData("FailureRatio", "0", "Screening:Classifier:FailureRatio must be more than 0 and at most 1; it is 0.")]
    [InlineData("FailureRatio", "1.5", "Screening:Classifier:FailureRatio must be more than 0 and at most 1; it is 1.5.")]
    [InlineData("MinimumThroughput", "1", "Screening:Classifier:MinimumThroughput must be at least 2; it is 1.")]
    [InlineData("SamplingDurationSeconds", "0", "Screening:Classifier:SamplingDurationSeconds must be between 1 and 86400; it is 0.")]
    [InlineData("BreakDurationSeconds", "0", "Screening:Classifier:BreakDurationSeconds must be between 1 and 86400; it is 0.")]
    [InlineData("DefaultThreshold", "1.2", "Screening:Classifier:DefaultThreshold must be between 0 and 1; it is 1.2.")]
    [InlineData("SevereThreshold", "-0.1", "Screening:Classifier:SevereThreshold must be between 0 and 1; it is -0.1.")]
    [InlineData("Thresholds:Grooming", "95", "Screening:Classifier:Thresholds:Grooming must be between 0 and 1; it is 95.")]
    [InlineData("Thresholds:Groomming", "0.5", "Screening:Classifier:Thresholds:Groomming is not a category the classifier scores (known: AllegationAgainstStaff, Bullying, ChildSexualAbuse, Complaint, Grooming, Hate, LocationDisclosure, Profanity, Radicalisation, ThreatToLife).")]
    [InlineData("Thresholds:Links", "0.5", "Screening:Classifier:Thresholds:Links is not a category the classifier scores")]
    public void A_setting_that_cannot_work_stops_start_up_naming_its_key(string key, string value, string error)
    {
        // Arrange
        var settings = new List<(string, string)> { ("Url", s_url.ToString()), (key, value) };

        // Act
        var act = () => new ServiceCollection().AddRiskClassifier(Configuration([.. settings]));

        // Assert
        var thrown = act.Should().Throw<OptionsValidationException>().Which;
        thrown.Failures.Should().ContainSingle().Which.Should().StartWith(error);
        thrown.OptionsName.Should().Be("Screening:Classifier");
    }

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        // Act
        var act = () => new ServiceCollection().AddRiskClassifier(
            Configuration(("Url", "not a url"), ("TimeoutMs", "0"), ("Thresholds:Spam", "0.5"), ("SevereThreshold", "2")));

        // Assert
        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(4);
    }

    [Fact]
    public void Thresholds_at_the_ends_of_the_range_and_in_any_case_are_accepted()
    {
        // Act
        var act = () => new ServiceCollection().AddRiskClassifier(Configuration(
            ("Url", "https://classifier.example/v1/score"), ("DefaultThreshold", "0"), ("SevereThreshold", "1"), ("Thresholds:bullying", "0.6")));

        // Assert
        act.Should().NotThrow();
    }

    /// <summary>Settings under <c>Screening:Classifier</c>; a later value for a key replaces an earlier one.</summary>
    private static IConfiguration Configuration(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (key, value) in settings)
        {
            values[$"Screening:Classifier:{key}"] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Classifier;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Classifier;

/// <summary>The external classifier over real HTTP to a loopback server: answers, thresholds, and every way it fails.</summary>
public sealed class HttpRiskClassifierTests
{
    private static readonly Guid s_school = new("5c0f1e1d-0000-4000-8000-000000000001");

    private const string Comment = "Lovely photos from the trip. DM me your number, it can be our secret.";

    [Fact]
    public async Task Scores_at_or_above_the_threshold_become_findings_severe_at_or_above_the_severe_threshold()
    {
        // Arrange
        await using var server = await ClassifierServer.AnsweringAsync(_ => """
            { "modelVersion": "safeguard-2026.11",
              "scores": [
                { "category": "Grooming", "score": 0.93, "offset": 29, "length": 20 },
                { "category": "ThreatToLife", "score": 0.97 },
                { "category": "Bullying", "score": 0.8 },
                { "category": "Profanity", "score": 0.79 } ] }
            """);
        var classifier = TestClassifier.Create(server.Url);

        // Act
        var outcome = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Status.Should().Be(ClassifierStatus.Answered);
        outcome.Reason.Should().BeNull();
        outcome.Findings.Should().BeEquivalentTo(new[]
        {
            new Finding(RiskCategories.Grooming, "classifier:safeguard-2026.11", FindingSeverity.Warning, 29, 20, "External classifier scored 0.93 for grooming."),
            new Finding(RiskCategories.ThreatToLife, "classifier:safeguard-2026.11", FindingSeverity.Severe, 0, Comment.Length, "External classifier scored 0.97 for threat to life."),
            new Finding(RiskCategories.Bullying, "classifier:safeguard-2026.11", FindingSeverity.Warning, 0, Comment.Length, "External classifier scored 0.8 for bullying."),
        });
        Comment.Substring(29, 20).Should().Be("DM me your number, i");
    }

    [Fact]
    public async Task The_request_carries_the_school_the_text_the_categories_and_the_api_key_as_documented()
    {
        // Arrange
        await using var server = await ClassifierServer.AnsweringAsync(_ => """{ "modelVersion": "m1", "scores": [] }""");
        var classifier = TestClassifier.Create(server.Url, ("ApiKey", "s3cret-key"));

        // Act
        var outcome = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Should().BeEquivalentTo(new ClassifierOutcome(ClassifierStatus.Answered, [], null));
        var request = server.Received.Should().ContainSingle().Subject;
        request.Authorization.Should().Be("Bearer s3cret-key");
        request.ContentType.Should().StartWith("application/json");
        request.Body.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["schoolId", "text", "categories"]);
        request.Body.GetProperty("schoolId").GetGuid().Should().Be(s_school);
        request.Text.Should().Be(Comment);
        var categories = request.Body.GetProperty("categories").EnumerateArray().Select(c => c.GetString()).ToList();
        categories.Should().Contain([RiskCategories.Grooming, RiskCategories.ChildSexualAbuse, RiskCategories.Bullying, RiskCategories.ThreatToLife]);
        categories.Should().NotContain([RiskCategories.Links, RiskCategories.SchoolTerm], "links and a school's own words are rules, not a model's judgement");
    }

    [Fact]
    public async Task Without_an_api_key_no_authorization_header_is_sent()
    {
        // Arrange
        await using var server = await ClassifierServer.AnsweringAsync(_ => """{ "modelVersion": "m1", "scores": [] }""");

        // Act
        await TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        server.Received.Should().ContainSingle().Which.Authorization.Should().BeNull();
    }

    [Fact]
    public async Task A_category_with_its_own_threshold_uses_it_instead_of_the_default()
    {
        // Arrange
        await using var server = await ClassifierServer.AnsweringAsync(_ => """
            { "modelVersion": "m1", "scores": [
                { "category": "Bullying", "score": 0.55 },
                { "category": "Grooming", "score": 0.93 },
                { "category": "Hate", "score": 0.85 } ] }
            """);
        var classifier = TestClassifier.Create(server.Url, ("Thresholds:Bullying", "0.5"), ("Thresholds:grooming", "0.99"), ("SevereThreshold", "0.9"));

        // Act
        var outcome = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Findings.Select(f => (f.Category, f.Severity)).Should().BeEquivalentTo(new[]
        {
            (RiskCategories.Bullying, FindingSeverity.Warning),
            (RiskCategories.Hate, FindingSeverity.Warning),
        });
    }

    [Theory]
    [InlineData("\"offset\": 0, \"length\": 6", 0, 6)]
    [InlineData("\"offset\": 62, \"length\": 7", 62, 7)]
    [InlineData("\"offset\": 62, \"length\": 8", 0, 69)]
    [InlineData("\"offset\": -1, \"length\": 5", 0, 69)]
    [InlineData("\"offset\": 500, \"length\": 5", 0, 69)]
    [InlineData("\"offset\": 10, \"length\": 0", 0, 69)]
    [InlineData("\"offset\": 10", 0, 69)]
    [InlineData("\"length\": 10", 0, 69)]
    [InlineData("\"offset\": null, \"length\": null", 0, 69)]
    public async Task A_span_inside_the_text_is_kept_and_anything_else_means_the_whole_text(string span, int offset, int length)
    {
        // Arrange
        Comment.Length.Should().Be(69);
        await using var server = await ClassifierServer.AnsweringAsync(_ =>
            $$"""{ "modelVersion": "m1", "scores": [ { "category": "Grooming", "score": 0.9, {{span}} } ] }""");

        // Act
        var outcome = await TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Findings.Should().ContainSingle().Which.Should().Match<Finding>(f => f.Offset == offset && f.Length == length);
    }

    [Fact]
    public async Task Unknown_categories_are_ignored_with_a_warning_that_never_repeats_the_text()
    {
        // Arrange
        await using var server = await ClassifierServer.AnsweringAsync(_ => """
            { "modelVersion": "m1", "scores": [
                { "category": "Spam", "score": 0.99 },
                { "category": "Links", "score": 0.99 },
                { "category": "grooming", "score": 0.9 } ] }
            """);
        var logs = new LogSink();
        var classifier = TestClassifier.Services(server.Url, logs: logs).GetRequiredService<IRiskClassifier>();

        // Act
        var outcome = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Status.Should().Be(ClassifierStatus.Answered);
        outcome.Findings.Should().ContainSingle().Which.Category.Should().Be(RiskCategories.Grooming, "a known category is matched in any case");
        logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Message.Contains("Spam") && e.Message.Contains("Links"));
        logs.Entries.Should().NotContain(e => e.Message.Contains("secret"), "pupils' words stay out of the logs");
    }

    [Fact]
    public async Task The_model_version_names_the_rule_cut_to_the_length_the_database_stores()
    {
        // Arrange
        var version = new string('v', 100);
        await using var server = await ClassifierServer.AnsweringAsync(_ =>
            $$"""{ "modelVersion": "{{version}}", "scores": [ { "category": "Hate", "score": 0.9 } ] }""");

        // Act
        var outcome = await TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        var rule = outcome.Findings.Should().ContainSingle().Subject.Rule;
        rule.Should().HaveLength(64).And.StartWith("classifier:vvvv");
    }

    [Fact]
    public async Task An_answer_without_a_model_version_is_still_used_under_an_unknown_version()
    {
        // Arrange
        await using var server = await ClassifierServer.AnsweringAsync(_ => """{ "scores": [ { "category": "Hate", "score": 0.9 } ] }""");

        // Act
        var outcome = await TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Findings.Should().ContainSingle().Which.Rule.Should().Be("classifier:unknown");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(401)]
    public async Task A_status_other_than_success_makes_the_classifier_unavailable_naming_the_status(int status)
    {
        // Arrange
        await using var server = await ClassifierServer.RespondingAsync(status, """{ "scores": [] }""");

        // Act
        var outcome = await TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Should().BeEquivalentTo(ClassifierOutcome.Unavailable($"HTTP {status}"));
        server.Requests.Should().Be(1, "there is no retry: screening must be quick");
    }

    [Fact]
    public async Task A_classifier_slower_than_the_timeout_is_unavailable_and_the_request_is_abandoned()
    {
        // Arrange
        await using var server = await ClassifierServer.HangingAsync();
        var classifier = TestClassifier.Create(server.Url, ("TimeoutMs", "200"));

        // Act
        var outcome = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Should().BeEquivalentTo(ClassifierOutcome.Unavailable("timed out after 200 ms"));
        server.Requests.Should().Be(1);
    }

    [Fact]
    public async Task A_classifier_that_is_not_running_is_unavailable_with_connection_refused()
    {
        // Act
        var outcome = await TestClassifier.Create(ClassifierServer.ClosedPortUrl()).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Should().BeEquivalentTo(ClassifierOutcome.Unavailable("connection refused"));
    }

    [Theory]
    [InlineData("<html>Bad gateway</html>", "response was not valid JSON")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ { "category": "Hate", "score": 0.9 """, "response was not valid JSON")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ { "category": "Hate", "score": "high" } ] }""", "response was not valid JSON")]
    [InlineData("", "response was not valid JSON")]
    [InlineData("null", "response had no scores")]
    [InlineData("""{ "modelVersion": "m1" }""", "response had no scores")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ { "score": 0.9 } ] }""", "response had a score without a category or value")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ { "category": "Hate" } ] }""", "response had a score without a category or value")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ null ] }""", "response had a score without a category or value")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ { "category": "Hate", "score": 93 } ] }""", "response had a score outside 0 to 1")]
    [InlineData("""{ "modelVersion": "m1", "scores": [ { "category": "Hate", "score": -0.1 } ] }""", "response had a score outside 0 to 1")]
    public async Task An_answer_that_is_not_the_documented_json_makes_the_classifier_unavailable(string body, string reason)
    {
        // Arrange
        await using var server = await ClassifierServer.RespondingAsync(200, body);

        // Act
        var outcome = await TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        outcome.Should().BeEquivalentTo(ClassifierOutcome.Unavailable(reason));
    }

    [Fact]
    public async Task After_enough_failures_the_circuit_opens_and_the_classifier_is_no_longer_called()
    {
        // Arrange
        await using var server = await ClassifierServer.RespondingAsync(503);
        using var services = TestClassifier.Services(server.Url, [("MinimumThroughput", "2"), ("FailureRatio", "0.5")]);

        // Act: each screening resolves its own typed client, as a host does
        var first = await services.GetRequiredService<IRiskClassifier>().ClassifyAsync(s_school, Comment, CancellationToken.None);
        var second = await services.GetRequiredService<IRiskClassifier>().ClassifyAsync(s_school, Comment, CancellationToken.None);
        var third = await services.GetRequiredService<IRiskClassifier>().ClassifyAsync(s_school, Comment, CancellationToken.None);
        var fourth = await services.GetRequiredService<IRiskClassifier>().ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        first.Reason.Should().Be("HTTP 503");
        second.Reason.Should().Be("HTTP 503");
        third.Should().BeEquivalentTo(ClassifierOutcome.Unavailable("circuit open after repeated failures"));
        fourth.Should().BeEquivalentTo(ClassifierOutcome.Unavailable("circuit open after repeated failures"));
        server.Requests.Should().Be(2);
    }

    [Fact]
    public async Task After_the_break_one_call_tries_the_classifier_again_and_an_answer_closes_the_circuit()
    {
        // Arrange
        var healthy = false;
        await using var server = await ClassifierServer.StartAsync((_, context, _) =>
        {
            context.Response.StatusCode = Volatile.Read(ref healthy) ? 200 : 500;
            return context.Response.WriteAsync("""{ "modelVersion": "m1", "scores": [ { "category": "Hate", "score": 0.9 } ] }""");
        });
        var clock = new ManualClock();
        using var services = TestClassifier.Services(
            server.Url, [("MinimumThroughput", "2"), ("FailureRatio", "0.5"), ("BreakDurationSeconds", "30")], clock);
        var classifier = services.GetRequiredService<IRiskClassifier>();
        await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);
        await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);
        Volatile.Write(ref healthy, true);

        // Act
        clock.Advance(TimeSpan.FromSeconds(29));
        var stillOpen = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));
        var probe = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);
        var after = await classifier.ClassifyAsync(s_school, Comment, CancellationToken.None);

        // Assert
        stillOpen.Reason.Should().Be("circuit open after repeated failures");
        probe.Status.Should().Be(ClassifierStatus.Answered);
        after.Status.Should().Be(ClassifierStatus.Answered);
        server.Requests.Should().Be(4);
    }

    [Fact]
    public async Task A_caller_that_cancels_gets_its_cancellation_back_and_it_does_not_count_against_the_classifier()
    {
        // Arrange
        await using var server = await ClassifierServer.HangingAsync();
        using var services = TestClassifier.Services(server.Url, [("MinimumThroughput", "2"), ("FailureRatio", "0.5")]);
        var classifier = services.GetRequiredService<IRiskClassifier>();

        for (var i = 0; i < 3; i++)
        {
            using var cts = new CancellationTokenSource();

            // Act
            var call = classifier.ClassifyAsync(s_school, Comment, cts.Token);
            Func<Task> act = () => call;
            (await server.Arrived.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the request reaches the server");
            await cts.CancelAsync();

            // Assert
            await act.Should().ThrowAsync<OperationCanceledException>();
        }

        server.Requests.Should().Be(3, "cancelled calls do not open the circuit");
    }

    [Fact]
    public async Task An_already_cancelled_screening_throws_without_calling_the_classifier()
    {
        // Arrange
        await using var server = await ClassifierServer.RespondingAsync(200, """{ "scores": [] }""");

        // Act
        var act = () => TestClassifier.Create(server.Url).ClassifyAsync(s_school, Comment, new CancellationToken(canceled: true));

        // Assert
        await act.Should().ThrowAsync<OperationCanceledException>();
        server.Requests.Should().Be(0);
    }

    [Fact]
    public async Task Text_with_nothing_to_score_is_not_sent()
    {
        // Arrange
        await using var server = await ClassifierServer.RespondingAsync(500);

        // Act
        var outcome = await TestClassifier.Create(server.Url).ClassifyAsync(s_school, "  \n", CancellationToken.None);

        // Assert
        outcome.Should().BeEquivalentTo(new ClassifierOutcome(ClassifierStatus.Answered, [], null));
        server.Requests.Should().Be(0);
    }
}

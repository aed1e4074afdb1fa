using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Domain.Screening;

namespace Moderation.Domain.Tests.Screening;

public sealed class ScreeningSetupTests
{
    [Fact]
    public void The_profiles_kept_hold_100000_pupils_unless_the_host_says_otherwise()
    {
        using var defaults = Build(null);
        using var configured = Build("2500");

        defaults.Services.GetRequiredService<SchoolScreeningProfiles>().PupilBudget.Should().Be(100_000);
        configured.Services.GetRequiredService<SchoolScreeningProfiles>().PupilBudget.Should().Be(2_500);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-20")]
    public void A_budget_that_is_not_a_positive_number_of_pupils_stops_the_host_with_the_setting_named(string value)
    {
        var build = () => Build(value);

        build.Should().Throw<InvalidOperationException>()
            .WithMessage($"Screening:ProfileCachePupils is {value}; it must be a positive number of pupils (default 100,000).");
    }

    [Fact]
    public void A_budget_that_is_not_a_number_stops_the_host_with_the_setting_named()
    {
        var build = () => Build("lots");

        build.Should().Throw<InvalidOperationException>().WithMessage("*Screening:ProfileCachePupils*");
    }

    private static IHost Build(string? pupils)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (pupils is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Screening:ProfileCachePupils"] = pupils });
        }

        builder.Services.AddLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddModerationScreening();
        return builder.Build();
    }
}

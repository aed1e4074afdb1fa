using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Domain.Screening.Classifier;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Screening;

public static class ScreeningSetup
{
    /// <summary>The folder the rule files are copied to beside every binary that references the domain.</summary>
    public static string DefaultRulesPath => Path.Combine(AppContext.BaseDirectory, "screening");

    /// <summary>
    /// Screening for a host: the risk rules (loaded once, from <c>Screening:RulesPath</c> or the copy of
    /// <c>seeds/screening</c> beside the binary), the personal-data screener, the optional classifier
    /// (<c>Screening:Classifier</c>, see <see cref="ClassifierSetup.AddRiskClassifier"/>), school profiles
    /// (at most <c>Screening:ProfileCachePupils</c> pupils kept between them), the engine that runs them all, and
    /// <see cref="ItemScreening"/>, which stores its results.
    /// </summary>
    public static IHostApplicationBuilder AddModerationScreening(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var path = builder.Configuration["Screening:RulesPath"] is { Length: > 0 } configured ? configured : DefaultRulesPath;
        builder.Services.AddSingleton(_ => RiskRules.LoadFromDirectory(path));
        builder.Services.AddSingleton<RiskScreener>();
        builder.Services.AddSingleton<ITextScreener, PersonalDataScreener>();
        builder.Services.AddRiskClassifier(builder.Configuration);
        var pupilBudget = builder.Configuration.GetValue<long?>("Screening:ProfileCachePupils") ?? SchoolScreeningProfiles.DefaultPupilBudget;
        if (pupilBudget <= 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Screening:ProfileCachePupils is {pupilBudget}; it must be a positive number of pupils (default {SchoolScreeningProfiles.DefaultPupilBudget:N0})."));
        }

        builder.Services.AddSingleton(services => new SchoolScreeningProfiles(services.GetRequiredService<TimeProvider>(), pupilBudget));
        builder.Services.AddSingleton<ScreeningEngine>();
        builder.Services.AddSingleton<ScreeningPreview>();
        builder.Services.AddSingleton<ItemScreening>();
        return builder;
    }
}

using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Moderation.Domain.Screening.Classifier;

public static class ClassifierSetup
{
    /// <summary>
    /// The external classifier when <c>Screening:Classifier:Url</c> is set, else none. The settings are checked here,
    /// so a host with a bad classifier configuration stops at start-up with every problem listed. A classifier
    /// registered before this call (a test's fake) is kept.
    /// </summary>
    /// <exception cref="OptionsValidationException">The classifier is configured, but not usably.</exception>
    public static IServiceCollection AddRiskClassifier(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(IRiskClassifier)))
        {
            return services;
        }

        var options = configuration.GetSection(ClassifierOptions.Section).Get<ClassifierOptions>() ?? new ClassifierOptions();
        if (!options.IsConfigured)
        {
            services.TryAddSingleton<IRiskClassifier, NoRiskClassifier>();
            return services;
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(ClassifierOptions.Section, typeof(ClassifierOptions), errors);
        }

        services.AddSingleton(Options.Create(options));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ClassifierResilience>();
        services.AddHttpClient<IRiskClassifier, HttpRiskClassifier>(client =>
        {
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (!string.IsNullOrWhiteSpace(options.ApiKey))
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey.Trim());
            }

            // The pipeline's timeout governs alone (HttpClient's own 100 s would cut a longer TimeoutMs short); the
            // buffer limit keeps an oversized answer from being read into memory whole.
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.MaxResponseContentBufferSize = 1024 * 1024;
        });
        return services;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cascade.Hosting;

/// <summary>
/// How every service module gets its options: bound from its configuration section (environment variables such as
/// <c>Cascade__Ingestion__MaxBatchesInFlight</c>, the command line, tye.yaml, the manifests), then the caller's
/// overrides in code, then validated (data annotations, nested objects included). A value that does not parse or
/// breaks a rule stops the host before it serves anything, with a message naming the configuration key.
/// </summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds, overrides and validates <typeparamref name="T"/> now (service registration depends on some options),
    /// and registers it both as itself and as <see cref="IOptions{T}"/>.
    /// </summary>
    /// <exception cref="OptionsValidationException">A value does not parse or breaks a rule; the message names its key.</exception>
    public static T AddValidatedOptions<T>(this IServiceCollection services, string sectionName, Action<T>? configure = null, Func<T, IEnumerable<string>>? rules = null)
        where T : class, new()
    {
        var options = new T();
        if (ConfigurationOf(services) is { } configuration)
        {
            try
            {
                configuration.GetSection(sectionName).Bind(options);
            }
            catch (InvalidOperationException ex)
            {
                // The binder names the key ("Failed to convert configuration value at 'Cascade:Ingestion:…' to type …").
                throw new OptionsValidationException(sectionName, typeof(T), [ex.Message + (ex.InnerException is { } inner ? " " + inner.Message : string.Empty)]);
            }
        }
        configure?.Invoke(options);
        var errors = Validate(options, sectionName).Concat(rules?.Invoke(options).Select(e => $"{sectionName}: {e}") ?? []).ToArray();
        if (errors.Length > 0)
        {
            throw new OptionsValidationException(sectionName, typeof(T), errors);
        }
        services.AddSingleton(options);
        services.AddSingleton(Options.Create(options));
        return options;
    }

    /// <summary>Every data-annotation failure of <paramref name="options"/> and of the objects it holds, each named by its configuration key.</summary>
    public static IEnumerable<string> Validate(object options, string path)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            foreach (var member in members)
            {
                yield return $"{path}:{member}: {result.ErrorMessage}";
            }
        }
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType.IsValueType || property.PropertyType == typeof(string)) continue;
            if (property.PropertyType.Namespace?.StartsWith("Cascade", StringComparison.Ordinal) != true) continue;
            if (property.GetValue(options) is { } nested)
            {
                foreach (var error in Validate(nested, $"{path}:{property.Name}"))
                {
                    yield return error;
                }
            }
        }
    }

    /// <summary>
    /// The host's configuration, as <see cref="ServiceHost"/> registers it before modules are added (ASP.NET Core
    /// registers <see cref="IConfiguration"/> through a factory, which cannot be read before the container is built),
    /// or an <see cref="IConfiguration"/> instance a test registered; null in a bare container.
    /// </summary>
    private static IConfiguration? ConfigurationOf(IServiceCollection services) =>
        (services.LastOrDefault(d => d.ServiceType == typeof(HostConfiguration))?.ImplementationInstance as HostConfiguration)?.Configuration
        ?? services.LastOrDefault(d => d.ServiceType == typeof(IConfiguration))?.ImplementationInstance as IConfiguration;
}

/// <summary>The configuration a service host was built with, readable while services are still being registered.</summary>
public sealed record HostConfiguration(IConfiguration Configuration);

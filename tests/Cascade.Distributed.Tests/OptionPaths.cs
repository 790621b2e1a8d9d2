using System.Globalization;
using Cascade.Hosting;
using Cascade.Ml.Signing;
using Cascade.Training.Options;

namespace Cascade.Distributed.Tests;

/// <summary>Environment-variable settings (<c>Cascade__Infrastructure__Kafka__Namespace</c>) against the options they bind to.</summary>
internal static class OptionPaths
{
    // The sections services bind: the host's options, Training's own section, and model signing (workers and Serving).
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Training"] = typeof(TrainingServiceOptions),
        ["Signing"] = typeof(ModelSigningOptions),
        ["Auth"] = typeof(Cascade.Hosting.Security.AuthOptions),
        ["Console"] = typeof(Cascade.WebConsole.Options.ConsoleOptions),
        ["Console__Pipeline"] = typeof(Cascade.WebConsole.Options.PipelineFiguresOptions),
    };

    public static string? Check(string key, string value)
    {
        var path = key.Split("__");
        if (path[0] != "Cascade") return "not a Cascade setting";
        // A section of its own inside another (Console__Pipeline) first, then a top-level one, else the host's options.
        var (type, start) = path.Length > 3 && Sections.TryGetValue($"{path[1]}__{path[2]}", out var nested) ? (nested, 3)
            : path.Length > 2 && Sections.TryGetValue(path[1], out var section) ? (section, 2)
            : (typeof(ServiceHostOptions), 1);
        for (var i = start; i < path.Length; i++)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1]; // any key
                continue;
            }
            var property = type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, path[i], StringComparison.OrdinalIgnoreCase) && p.CanWrite);
            if (property is null) return $"{type.Name} has no settable property '{path[i]}'";
            type = property.PropertyType;
        }
        return Parses(Nullable.GetUnderlyingType(type) ?? type, value);
    }

    private static string? Parses(Type type, string value)
    {
        if (type == typeof(string)) return null;
        if (type.IsEnum) return Enum.TryParse(type, value, ignoreCase: true, out _) ? null : $"'{value}' is not one of {string.Join(", ", Enum.GetNames(type))}";
        if (type == typeof(bool)) return bool.TryParse(value, out _) ? null : $"'{value}' is not a boolean";
        if (type == typeof(int)) return int.TryParse(value, CultureInfo.InvariantCulture, out _) ? null : $"'{value}' is not an integer";
        if (type == typeof(TimeSpan)) return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _) ? null : $"'{value}' is not a time span";
        return $"a section ({type.Name}), not a value";
    }
}

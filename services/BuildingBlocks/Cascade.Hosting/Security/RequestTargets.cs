using System.Collections;
using Google.Protobuf;

namespace Cascade.Hosting.Security;

/// <summary>Reads what a call acts on from its request message, by the field path an <see cref="AccessRule"/> names (<c>spec.model</c>).</summary>
public static class RequestTargets
{
    /// <summary>The values of <paramref name="path"/> in <paramref name="request"/> (several for a repeated field; none when unset or empty).</summary>
    public static IReadOnlyList<string> Read(object? request, string path)
    {
        if (request is not IMessage message || string.IsNullOrEmpty(path)) return [];
        object? value = message;
        foreach (var part in path.Split('.'))
        {
            if (value is not IMessage current) return [];
            var field = current.Descriptor.FindFieldByName(part);
            if (field is null) return [];
            value = field.Accessor.GetValue(current);
        }
        return value switch
        {
            string text when text.Length > 0 => [text],
            string => [],
            IList list => list.OfType<object>().Select(v => v.ToString() ?? string.Empty).Where(v => v.Length > 0).ToArray(),
            IMessage => [],
            null => [],
            _ => [value.ToString() ?? string.Empty],
        };
    }
}

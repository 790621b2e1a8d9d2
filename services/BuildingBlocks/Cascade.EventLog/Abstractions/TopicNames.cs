namespace Cascade.EventLog.Abstractions;

/// <summary>Kafka's topic name rules, enforced by every implementation so names stay portable.</summary>
public static class TopicNames
{
    /// <exception cref="ArgumentException">The name is empty, too long, or has a character Kafka refuses.</exception>
    public static void Validate(string topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            throw new ArgumentException("Topic name is empty.");
        }
        if (topic.Length > 249 || topic is "." or "..")
        {
            throw new ArgumentException($"Topic name '{topic}' is not allowed (at most 249 characters, not '.' or '..').");
        }
        foreach (var c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException($"Topic name '{topic}' has '{c}': use only ASCII letters, digits, '.', '_' and '-'.");
            }
        }
    }
}

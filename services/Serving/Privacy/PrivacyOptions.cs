using System.ComponentModel.DataAnnotations;

namespace Cascade.Serving.Privacy;

/// <summary>How Serving hashes sensitive features in the prediction log (section <c>Cascade:Privacy</c>).</summary>
public sealed class PrivacyOptions : IValidatableObject
{
    /// <summary>Configuration section name: <c>Cascade__Privacy__HashKey</c>.</summary>
    public const string SectionName = "Cascade:Privacy";

    /// <summary>Fewest key bytes accepted: a shorter HMAC key would be the weak part of the hash.</summary>
    public const int MinKeyBytes = 16;

    /// <summary>
    /// The secret key of the keyed hash (base64, at least 16 bytes). Keyed because the values of a sensitive column
    /// often come from a small domain (a postcode, a birth year, a diagnosis code): a plain SHA-256 of each could be
    /// reversed by hashing every candidate, a keyed one only by whoever holds the key. Every Serving process whose
    /// logs are compared must share it (set it from a Secret in Kubernetes); changing it makes new hashes unlike old ones.
    /// </summary>
    /// <value>The default value is empty: a random 32-byte key generated once in Serving's data directory (<c>privacy.key</c>).</value>
    public string HashKey { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HashKey.Length == 0) yield break;
        if (PrivacyKey.TryDecode(HashKey) is not { } key)
        {
            yield return new ValidationResult("HashKey is not base64.", [nameof(HashKey)]);
        }
        else if (key.Length < MinKeyBytes)
        {
            yield return new ValidationResult($"HashKey holds {key.Length} bytes; use at least {MinKeyBytes} (e.g. openssl rand -base64 32).", [nameof(HashKey)]);
        }
    }
}

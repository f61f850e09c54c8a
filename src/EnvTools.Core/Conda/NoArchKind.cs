namespace EnvTools.Conda;

/// <summary>
/// The <c>noarch</c> field of a package record. The legacy boolean form <c>noarch: true</c> means
/// <see cref="Generic"/>; <c>false</c>, <c>null</c>, <c>""</c> and an absent key mean <see cref="None"/>.
/// </summary>
// Int64-based on purpose: PowerShell's ConvertTo-Json writes Int64 enums by name (others as numbers).
public enum NoArchKind : long
{
    /// <summary>An architecture-specific package.</summary>
    None,
    /// <summary><c>noarch: generic</c> (or the legacy <c>noarch: true</c>): files are linked as they are.</summary>
    Generic,
    /// <summary><c>noarch: python</c>: site-packages relocation, entry points and .pyc compilation at install.</summary>
    Python,
}

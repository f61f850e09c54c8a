namespace EnvTools.Conda;

/// <summary>
/// The <c>noarch</c> field of a package record. The legacy boolean form <c>noarch: true</c> means
/// <see cref="Generic"/>; <c>false</c>, <c>null</c>, <c>""</c> and an absent key mean <see cref="None"/>.
/// </summary>
public enum NoArchKind
{
    /// <summary>An architecture-specific package.</summary>
    None,
    /// <summary><c>noarch: generic</c> (or the legacy <c>noarch: true</c>): files are linked as they are.</summary>
    Generic,
    /// <summary><c>noarch: python</c>: site-packages relocation, entry points and .pyc compilation at install.</summary>
    Python,
}

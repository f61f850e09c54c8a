namespace EnvTools.Conda;

/// <summary>Temporary.</summary>
public static class Placeholder { }

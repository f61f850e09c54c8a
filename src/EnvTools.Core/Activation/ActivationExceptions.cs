namespace EnvTools.Activation;

/// <summary>An activation or deactivation script that failed; the activation was undone.</summary>
public sealed class ActivationScriptFailedException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public ActivationScriptFailedException(string script, string reason, Exception? inner = null)
        : base("ActivationScriptFailed", ErrorKind.InvalidResult, $"The activation script {script} failed: {reason}", script, inner)
    {
        Script = script;
    }

    /// <summary>The script's path.</summary>
    public string Script { get; }
}

/// <summary>A variable an environment does not set (Remove-EnvVariable of a name not in conda-meta/state).</summary>
public sealed class EnvironmentVariableNotFoundException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public EnvironmentVariableNotFoundException(string prefix, string name)
        : base("EnvVariableNotFound", ErrorKind.ObjectNotFound, $"The environment {prefix} sets no variable '{name}'.", name)
    {
        Name = name;
    }

    /// <summary>The variable's name.</summary>
    public string Name { get; }
}

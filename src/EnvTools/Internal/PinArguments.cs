using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using EnvTools.Environments;

namespace EnvTools.Commands.Internal;

/// <summary>The environment parameters of the pin cmdlets (-Name, -Prefix bound from Get-Env output, else the active one).</summary>
public abstract class PinCmdlet : EnvCmdlet
{
    /// <summary>The environment's name (or path); the active environment when neither -Name nor -Prefix is given.</summary>
    [Parameter(ParameterSetName = "Name")]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [Alias("n")]
    public string? Name { get; set; }

    /// <summary>The environment's folder; bound from the Prefix property of piped objects (Get-Env, Get-EnvPackage output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Prefix", ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    /// <summary>The target environment's prefix.</summary>
    protected string ResolveTarget() => EnvironmentArguments.ResolveTarget(this, EnvironmentArguments.Locator(this), Name, Prefix);

    /// <summary>Writes pins as EnvTools.EnvironmentPin objects.</summary>
    protected void WritePins(IEnumerable<EnvironmentPin> pins)
    {
        foreach (EnvironmentPin pin in pins)
        {
            WriteObject(EnvironmentArguments.ToOutput(pin, "EnvTools.EnvironmentPin"));
        }
    }
}

/// <summary>Completes the names pinned in the target environment's conda-meta/pinned.</summary>
public sealed class PinnedPackageNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        PackageNameCompletion.Complete(wordToComplete, () =>
            PrefixPins.Read(PackageNameCompletion.TargetPrefix(fakeBoundParameters)).Select(p => (p.Package, p.Spec)));
}

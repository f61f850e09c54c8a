// Usage: dotnet EnvTools.Host.dll <environment.yml> <spec to install> <work folder>
// Resolves the spec against the file's channels, creates the environment of the file, installs the spec, exports, computes the activation and removes it, printing
// what it saw at each step.
using EnvTools.Host;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: EnvTools.Host <environment.yml> <spec to install> <work folder>");
    return 2;
}

HostReport report = HostWorkflow.Run(Path.GetFullPath(args[0]), args[1], Path.GetFullPath(args[2]));
Console.WriteLine($"resolved: {string.Join(", ", report.Resolved)}");
Console.WriteLine($"created {report.Prefix}: {string.Join(", ", report.Created)}");
Console.WriteLine($"installed: {string.Join(", ", report.Installed)}");
Console.Write(report.Exported);
Console.WriteLine($"activation sets CONDA_PREFIX={report.Activation.GetValueOrDefault("CONDA_PREFIX")}");
Console.WriteLine(report.Removed ? "removed" : "NOT removed");
return report.Removed ? 0 : 1;

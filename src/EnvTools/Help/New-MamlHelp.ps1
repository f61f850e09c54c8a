#requires -Version 7.4
<#
.SYNOPSIS
    Writes the module's cmdlet help (MAML, en-US/EnvTools.dll-Help.xml) from the built module and the
    XML documentation comments of the cmdlet classes, so that Get-Help shows what the source says.
.DESCRIPTION
    Called by build.ps1 Build in a child pwsh (the module is imported here, so its dll stays unlocked
    for the build). Synopsis and description come from <para type="synopsis|description"> in the class
    summary, parameter descriptions from the property summaries, examples from <example><code>.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $XmlDoc,
    [Parameter(Mandatory)] [string] $OutFile
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest -Force
[xml] $doc = Get-Content $XmlDoc -Raw
$members = @{}
foreach ($m in $doc.doc.members.member) { $members[$m.name] = $m }

function Text($node) {
    # PowerShell's XML adapter gives text-only elements as strings, others as nodes.
    if ($null -eq $node) { return '' }
    $t = if ($node -is [System.Xml.XmlNode]) { $node.InnerText } else { [string] $node }
    ($t -replace '\s+', ' ').Trim()
}
function Text-Raw($node) { if ($node -is [System.Xml.XmlNode]) { $node.InnerText } else { [string] $node } }
function Esc([string] $s) { [System.Security.SecurityElement]::Escape($s) }

$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$sb = [System.Text.StringBuilder]::new()
[void] $sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void] $sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
foreach ($cmd in Get-Command -Module EnvTools -CommandType Cmdlet | Sort-Object Name) {
    $type = $cmd.ImplementingType
    $m = $members["T:$($type.FullName)"]
    $synopsis = if ($m) { Text ($m.summary.para | Where-Object { $_.type -eq 'synopsis' } | Select-Object -First 1) } else { '' }
    $description = if ($m) { Text ($m.summary.para | Where-Object { $_.type -eq 'description' } | Select-Object -First 1) } else { '' }
    [void] $sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
    [void] $sb.AppendLine("<command:details><command:name>$($cmd.Name)</command:name><command:verb>$($cmd.Verb)</command:verb><command:noun>$($cmd.Noun)</command:noun>")
    [void] $sb.AppendLine("<maml:description><maml:para>$(Esc $synopsis)</maml:para></maml:description></command:details>")
    [void] $sb.AppendLine("<maml:description><maml:para>$(Esc $description)</maml:para></maml:description>")

    $paramXml = {
        param($p, $meta)
        $pm = $members["P:$($type.FullName).$($p.Name)"]
        if (-not $pm -and ($prop = $type.GetProperty($p.Name))) { $pm = $members["P:$($prop.DeclaringType.FullName).$($p.Name)"] }
        $pipe = @()
        if ($meta.ValueFromPipeline) { $pipe += 'ByValue' }
        if ($meta.ValueFromPipelineByPropertyName) { $pipe += 'ByPropertyName' }
        $pipeText = if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }
        $pos = if ($meta.Position -ge 0) { $meta.Position } else { 'named' }
        $t = $p.ParameterType
        $tn = if ($t.IsGenericType -and $t.GetGenericTypeDefinition() -eq [Nullable`1]) { $t.GenericTypeArguments[0].Name } else { $t.Name }
        "<command:parameter required=`"$($meta.IsMandatory.ToString().ToLower())`" position=`"$pos`" pipelineInput=`"$pipeText`" globbing=`"false`" variableLength=`"$($t.IsArray.ToString().ToLower())`">" +
        "<maml:name>$($p.Name)</maml:name><maml:description><maml:para>$(Esc (Text $pm.summary))</maml:para></maml:description>" +
        "<command:parameterValue required=`"true`">$(Esc $tn)</command:parameterValue><dev:type><maml:name>$(Esc $t.FullName)</maml:name></dev:type></command:parameter>"
    }

    [void] $sb.AppendLine('<command:syntax>')
    foreach ($set in $cmd.ParameterSets) {
        [void] $sb.AppendLine("<command:syntaxItem><maml:name>$($cmd.Name)</maml:name>")
        foreach ($p in $set.Parameters | Where-Object Name -notin $common) {
            $meta = [pscustomobject]@{ IsMandatory = $p.IsMandatory; Position = $p.Position; ValueFromPipeline = $p.ValueFromPipeline; ValueFromPipelineByPropertyName = $p.ValueFromPipelineByPropertyName }
            [void] $sb.AppendLine((& $paramXml $cmd.Parameters[$p.Name] $meta))
        }
        [void] $sb.AppendLine('</command:syntaxItem>')
    }
    [void] $sb.AppendLine('</command:syntax><command:parameters>')
    foreach ($p in $cmd.Parameters.Values | Where-Object Name -notin $common | Sort-Object Name) {
        $attr = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        $meta = [pscustomobject]@{ IsMandatory = $attr.Mandatory; Position = $attr.Position; ValueFromPipeline = $attr.ValueFromPipeline; ValueFromPipelineByPropertyName = $attr.ValueFromPipelineByPropertyName }
        [void] $sb.AppendLine((& $paramXml $p $meta))
    }
    [void] $sb.AppendLine('</command:parameters><command:returnValues>')
    foreach ($o in $cmd.OutputType) {
        [void] $sb.AppendLine("<command:returnValue><dev:type><maml:name>$(Esc $o.Name)</maml:name></dev:type></command:returnValue>")
    }
    [void] $sb.AppendLine('</command:returnValues><command:examples>')
    $i = 0
    foreach ($ex in @($m.example)) {
        if ($null -eq $ex) { continue }
        $i++
        $code = Text $ex.code
        if ($ex.output) {
            # <output> is sample output: shown after the command, its lines and indentation kept.
            $lines = ((Text-Raw $ex.output) -split "`r?`n") | ForEach-Object TrimEnd
            while ($lines.Count -gt 0 -and $lines[0] -eq '') { $lines = @($lines | Select-Object -Skip 1) }
            while ($lines.Count -gt 0 -and $lines[-1] -eq '') { $lines = @($lines | Select-Object -SkipLast 1) }
            $indent = ($lines | Where-Object { $_ } | ForEach-Object { $_.Length - $_.TrimStart().Length } | Measure-Object -Minimum).Minimum
            $code += "`n`n" + (($lines | ForEach-Object { if ($_.Length -ge $indent) { $_.Substring($indent) } else { $_ } }) -join "`n")
        }
        [void] $sb.AppendLine("<command:example><maml:title>-------------------------- Example $i --------------------------</maml:title><dev:code>$(Esc $code)</dev:code><dev:remarks><maml:para>$(Esc (Text $ex.para))</maml:para></dev:remarks></command:example>")
    }
    [void] $sb.AppendLine('</command:examples></command:command>')
}
[void] $sb.AppendLine('</helpItems>')
New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
Set-Content -Path $OutFile -Value $sb.ToString() -Encoding utf8NoBOM

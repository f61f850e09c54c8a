#requires -Version 7.4
<#
.SYNOPSIS
    Writes the module's cmdlet help (MAML, en-US/EnvTools.dll-Help.xml) from the built module and the
    XML documentation comments of the cmdlet classes, so that Get-Help shows what the source says.
.DESCRIPTION
    Called by build.ps1 Build in a child pwsh (the module is imported here, so its dll stays unlocked
    for the build). Synopsis and description come from <para type="synopsis|description"> in the class
    summary, parameter descriptions from the property summaries, examples from <example>: <code> (shown after
    "PS> "), <para> (the explanation, Get-Help's remarks) and <output> (sample output, shown under the code).
    INPUTS are the types of the parameters that bind from the pipeline (by value or by property name), OUTPUTS
    the [OutputType] types, each described by the class's <returns type="(type's full name)"> or else by the
    type's summary (EnvTools.Core.xml beside EnvTools.xml), RELATED LINKS the
    cmdlets of the class's <seealso cref="..."/>, about_EnvTools and the section of
    docs/cmdlets.md that documents the cmdlet.
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
# the engine's documentation, for the summaries of the output types
$coreXml = Join-Path (Split-Path $XmlDoc) 'EnvTools.Core.xml'
if (Test-Path $coreXml) {
    foreach ($m in ([xml] (Get-Content $coreXml -Raw)).doc.members.member) { if (-not $members.ContainsKey($m.name)) { $members[$m.name] = $m } }
}
# docs/cmdlets.md: the section (## heading) that names each cmdlet, as a GitHub anchor
$docsFile = Join-Path $PSScriptRoot '../../../docs/cmdlets.md'
$headings = if (Test-Path $docsFile) { @(Get-Content $docsFile | Where-Object { $_ -match '^## ' } | ForEach-Object { $_.Substring(3).Trim() }) } else { @() }
function DocsSection([string] $cmdlet) {
    $h = $headings | Where-Object { $_ -match "(?<![\w-])$([regex]::Escape($cmdlet))(?![\w-])" } | Select-Object -First 1
    if (-not $h) { return $null }
    $anchor = ($h.ToLowerInvariant() -replace '[^\w\- ]', '') -replace ' ', '-'
    [pscustomobject]@{ Heading = $h; Anchor = "docs/cmdlets.md#$anchor" }
}
$cmdletNames = @{}
foreach ($c in Get-Command -Module EnvTools -CommandType Cmdlet) { $cmdletNames["T:$($c.ImplementingType.FullName)"] = $c.Name }

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
    [void] $sb.AppendLine('</command:parameters><command:inputTypes>')
    # INPUTS: what binds from the pipeline, by type
    $inputs = [ordered]@{}
    foreach ($p in $cmd.Parameters.Values | Where-Object Name -notin $common | Sort-Object Name) {
        foreach ($a in $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }) {
            $how = @()
            if ($a.ValueFromPipeline) { $how += 'by value' }
            if ($a.ValueFromPipelineByPropertyName) { $how += "by property name ($((@($p.Name) + $p.Aliases) -join ', '))" }
            if (-not $how) { continue }
            $t = $p.ParameterType
            if ($t.IsArray) { $t = $t.GetElementType() }
            if (-not $inputs.Contains($t.FullName)) { $inputs[$t.FullName] = [System.Collections.Generic.List[string]]::new() }
            $line = "-$($p.Name), $($how -join ' and ')"
            if (-not $inputs[$t.FullName].Contains($line)) { $inputs[$t.FullName].Add($line) }
        }
    }
    if ($inputs.Count -eq 0) {
        [void] $sb.AppendLine('<command:inputType><dev:type><maml:name>None</maml:name></dev:type><maml:description><maml:para>Nothing binds from the pipeline.</maml:para></maml:description></command:inputType>')
    }
    foreach ($k in $inputs.Keys) {
        [void] $sb.AppendLine("<command:inputType><dev:type><maml:name>$(Esc $k)</maml:name></dev:type><maml:description><maml:para>$(Esc ("Binds " + ($inputs[$k] -join '; ') + '.'))</maml:para></maml:description></command:inputType>")
    }
    [void] $sb.AppendLine('</command:inputTypes><command:returnValues>')
    # OUTPUTS: the [OutputType] types, with their summaries
    foreach ($o in $cmd.OutputType) {
        $t = $o.Type
        $name = if ($null -eq $t -or $t -eq [void]) { 'None' } else { $t.FullName }
        # the class's <returns type="..."> says when and what it writes; else the type's own summary
        $returns = @($m.returns) | Where-Object { $_ -is [System.Xml.XmlElement] -and $_.type -eq $name } | Select-Object -First 1
        $summary = if ($returns) { Text $returns } elseif ($name -eq 'None') { 'Writes nothing to the pipeline.' } else { Text $members["T:$($t.FullName)"].summary }
        [void] $sb.AppendLine("<command:returnValue><dev:type><maml:name>$(Esc $name)</maml:name></dev:type><maml:description><maml:para>$(Esc $summary)</maml:para></maml:description></command:returnValue>")
    }
    [void] $sb.AppendLine('</command:returnValues><command:examples>')
    $i = 0
    foreach ($ex in @($m.example)) {
        if ($null -eq $ex) { continue }
        $i++
        $code = 'PS> ' + (Text $ex.code)
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
    [void] $sb.AppendLine('</command:examples><maml:relatedLinks>')
    # RELATED LINKS: the <seealso cref> cmdlets, about_EnvTools, the docs section
    $related = [System.Collections.Generic.List[string]]::new()
    foreach ($see in @($m.seealso)) {
        if ($null -ne $see -and $cmdletNames[$see.cref] -and -not $related.Contains($cmdletNames[$see.cref])) { $related.Add($cmdletNames[$see.cref]) }
    }
    foreach ($r in $related) {
        [void] $sb.AppendLine("<maml:navigationLink><maml:linkText>$r</maml:linkText><maml:uri></maml:uri></maml:navigationLink>")
    }
    [void] $sb.AppendLine('<maml:navigationLink><maml:linkText>about_EnvTools</maml:linkText><maml:uri></maml:uri></maml:navigationLink>')
    if ($section = DocsSection $cmd.Name) {
        [void] $sb.AppendLine("<maml:navigationLink><maml:linkText>$(Esc "The cmdlet reference, $($section.Heading):")</maml:linkText><maml:uri>$(Esc $section.Anchor)</maml:uri></maml:navigationLink>")
    }
    [void] $sb.AppendLine('</maml:relatedLinks></command:command>')
}
[void] $sb.AppendLine('</helpItems>')
New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
Set-Content -Path $OutFile -Value $sb.ToString() -Encoding utf8NoBOM

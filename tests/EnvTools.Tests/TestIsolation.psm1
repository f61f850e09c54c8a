# Process environment variables set and restored by the Pester suites' isolation.

function Set-TestVariable {
    <#
    Sets a process environment variable, or removes it when $Value is $null. [Environment]::SetEnvironmentVariable
    called from PowerShell with $null receives '' and, since .NET 9 (pwsh 7.5), leaves the variable present but
    empty: a restore that way leaks CONDA_RESTRICT_RC_SEARCH_PATH= (which hides every .condarc) into the files run after.
    #>
    param([Parameter(Mandatory)] [string] $Name, [object] $Value)
    if ($null -eq $Value) { Remove-Item "env:$Name" -ErrorAction Ignore }
    else { [Environment]::SetEnvironmentVariable($Name, [string] $Value) }
}

Export-ModuleMember -Function Set-TestVariable

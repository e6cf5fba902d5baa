package worker

// PowerPolicySupported reports whether this OS exposes power and heat to the
// worker (Linux and Android, through sysfs).
const PowerPolicySupported = true

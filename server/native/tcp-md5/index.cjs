// Loaded by the speaker only when a TCP-MD5 password is configured.
module.exports = require('./build/Release/tcp_md5.node');

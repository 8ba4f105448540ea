// Material for MkDocs 9.8.1's partials/javascripts/content.html (the script it always
// writes), as a file: the site's Content-Security-Policy runs no inline script. Opens the
// content tab an address's #fragment names, before Material's bundle starts.
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))

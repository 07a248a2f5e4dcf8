// Forms marked data-confirm ask before they submit (leaving an organisation,
// say). Without JavaScript they submit directly, as every essential action must.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});

/* Where the saved widgets' JavaScript is: on this site, under _static/widgets/, never a CDN.
 * Runs after require.js and before @jupyter-widgets/html-manager's embed-amd.js.
 * - The manager loads a widget package by its name ("bqplot", "bqscales") with require.js:
 *   the paths below point those names at the copies served here.
 * - Its modules find their icon fonts beside their own address: the paths put that address
 *   in widgets/html-manager/, where the fonts are.
 * - A package not found that way would be fetched from the address in a
 *   data-jupyter-widgets-cdn attribute: that address is on this site too (and does not exist),
 *   so a missing package fails here instead of loading from another host. */
(function () {
  "use strict";
  var src = document.currentScript.src;
  var widgets = src.slice(0, src.split("?")[0].lastIndexOf("/") + 1) + "widgets/";
  var manager = widgets + "html-manager/";
  window.require.config({
    paths: {
      "@jupyter-widgets/base": manager + "base",
      "@jupyter-widgets/base7": manager + "base7",
      "@jupyter-widgets/controls": manager + "controls",
      "@jupyter-widgets/controls7": manager + "controls7",
      "@jupyter-widgets/html-manager": manager + "html-manager",
      "@jupyter-widgets/html-manager/dist": manager.slice(0, -1),
      bqplot: widgets + "bqplot/index",
      bqscales: widgets + "bqscales/index"
    }
  });
  var cdn = document.createElement("script");
  cdn.type = "text/plain";
  cdn.setAttribute("data-jupyter-widgets-cdn", widgets + "no-cdn/");
  document.head.appendChild(cdn);
})();

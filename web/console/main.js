import { h, render } from "preact";
render(h("p", null, "console"), document.getElementById("app"));

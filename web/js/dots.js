// The events while zoomed out: a MapLibre custom layer that draws every event as one WebGL point
// (a round dot in its type's colour). The page's rows go to the GPU once per dataset, as typed
// arrays; the type and date filters are uniforms, so a filter change costs one frame and no work
// in MapLibre's worker. Zoomed in (DOTS_MAX_ZOOM and above) the circle layers over the "events"
// source take over, with outlines, sizes by fatalities and MapLibre's own hit testing.

export const DOTS_MAX_ZOOM = 7;
export const DOTS_LAYER = "events-dots";
const MAX_TYPES = 64;

const VERTEX = `
precision highp float;
attribute vec2 a_pos;
attribute float a_type;
attribute float a_day;
attribute float a_size;
uniform mat4 u_matrix;
uniform float u_shown[${MAX_TYPES}];
uniform vec3 u_colors[${MAX_TYPES}];
uniform float u_from;
uniform float u_to;
uniform float u_size;
varying vec3 v_color;
varying float v_size;
void main() {
  float shown = u_shown[int(a_type)];
  if (shown < 0.5 || a_day < u_from || a_day > u_to) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 0.0;
    return;
  }
  v_color = u_colors[int(a_type)];
  v_size = u_size * a_size;
  gl_PointSize = v_size;
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
}`;

const FRAGMENT = `
precision mediump float;
uniform float u_opacity;
varying vec3 v_color;
varying float v_size;
void main() {
  float d = length(gl_PointCoord - vec2(0.5)) * v_size;
  float r = v_size * 0.5;
  float a = clamp(r - d, 0.0, 1.0) * u_opacity;
  if (a <= 0.0) discard;
  gl_FragColor = vec4(v_color * a, a);
}`;

function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

const DAY_MS = 86400000;
/** A day "YYYY-MM-DD" as a number of days (NaN-free: an unknown day is 0). */
const dayNumbers = new Map();
export function dayNumber(day) {
  let n = dayNumbers.get(day);
  if (n === undefined) {
    n = day ? Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS) || 0 : 0;
    dayNumbers.set(day, n);
  }
  return n;
}

/**
 * The custom layer. `setRecords(records, typeIndex)` gives it the rows (each with lon, lat, type,
 * day, properties.fatalities); `setFilter({shown, from, to})` the filters (shown: type id -> bool).
 */
export class EventDots {
  constructor({ colorOf }) {
    this.id = DOTS_LAYER;
    this.type = "custom";
    this.renderingMode = "2d";
    this.colorOf = colorOf;
    this.types = [];
    this.count = 0;
    this.dirty = false;
    this.filter = { shown: () => true, from: -1e9, to: 1e9 };
  }

  onAdd(map, gl) {
    this.map = map;
    this.gl = gl;
    const compile = (kind, source) => {
      const shader = gl.createShader(kind);
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
      return shader;
    };
    const program = gl.createProgram();
    gl.attachShader(program, compile(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
    this.program = program;
    this.attr = Object.fromEntries(["a_pos", "a_type", "a_day", "a_size"].map((n) => [n, gl.getAttribLocation(program, n)]));
    this.uni = Object.fromEntries(
      ["u_matrix", "u_shown", "u_colors", "u_from", "u_to", "u_size", "u_opacity"].map((n) => [n, gl.getUniformLocation(program, n)]),
    );
    this.buffer = gl.createBuffer();
    // WebGL2 (MapLibre's usual context): an own vertex array, so MapLibre's are left untouched.
    this.vao = typeof gl.createVertexArray === "function" ? gl.createVertexArray() : null;
    this.dirty = true;
  }

  /** Whether the last frame drew these records with this filter. */
  hasDrawn(filter) {
    return this.drawn?.records === this.data && this.drawn?.filter === filter;
  }

  onRemove(map, gl) {
    gl.deleteBuffer(this.buffer);
    gl.deleteProgram(this.program);
  }

  /** Interleaved x, y (Web Mercator, 0..1), type index, day number, size factor per event. */
  setRecords(records) {
    const types = [];
    const typeIndex = new Map();
    const data = new Float32Array(records.length * 5);
    let o = 0;
    for (const r of records) {
      let t = typeIndex.get(r.type);
      if (t === undefined) {
        t = Math.min(types.length, MAX_TYPES - 1);
        typeIndex.set(r.type, t);
        if (types.length < MAX_TYPES) types.push(r.type);
      }
      const sin = Math.sin((r.lat * Math.PI) / 180);
      data[o++] = (r.lon + 180) / 360;
      data[o++] = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
      data[o++] = t;
      data[o++] = r.dayNumber;
      const dead = Number(r.properties.fatalities) || 0;
      data[o++] = 1 + Math.min(0.8, 0.2 * Math.sqrt(dead));
    }
    this.types = types;
    this.data = data;
    this.count = records.length;
    this.dirty = true;
    this.map?.triggerRepaint();
  }

  setFilter(filter) {
    this.filter = filter;
    this.map?.triggerRepaint();
  }

  render(gl, args) {
    if (!this.count) return;
    const zoom = this.map.getZoom();
    if (zoom >= DOTS_MAX_ZOOM) return;
    if (this.dirty) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
      gl.bufferData(gl.ARRAY_BUFFER, this.data, gl.STATIC_DRAW);
      this.dirty = false;
    }
    gl.useProgram(this.program);
    if (this.vao) gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    const stride = 5 * 4;
    const { a_pos, a_type, a_day, a_size } = this.attr;
    gl.enableVertexAttribArray(a_pos);
    gl.vertexAttribPointer(a_pos, 2, gl.FLOAT, false, stride, 0);
    gl.enableVertexAttribArray(a_type);
    gl.vertexAttribPointer(a_type, 1, gl.FLOAT, false, stride, 8);
    gl.enableVertexAttribArray(a_day);
    gl.vertexAttribPointer(a_day, 1, gl.FLOAT, false, stride, 12);
    gl.enableVertexAttribArray(a_size);
    gl.vertexAttribPointer(a_size, 1, gl.FLOAT, false, stride, 16);
    const shown = new Float32Array(MAX_TYPES);
    const colors = new Float32Array(MAX_TYPES * 3);
    this.types.forEach((type, i) => {
      shown[i] = this.filter.shown(type) ? 1 : 0;
      colors.set(hexRgb(this.colorOf(type)), i * 3);
    });
    gl.uniformMatrix4fv(this.uni.u_matrix, false, args.defaultProjectionData.mainMatrix);
    gl.uniform1fv(this.uni.u_shown, shown);
    gl.uniform3fv(this.uni.u_colors, colors);
    gl.uniform1f(this.uni.u_from, this.filter.from);
    gl.uniform1f(this.uni.u_to, this.filter.to);
    // About 3.5 px across at zoom 4, 6 px at zoom 6 (device pixels follow the pixel ratio).
    const size = (2.4 + 0.6 * Math.max(0, zoom - 3)) * 2 * (window.devicePixelRatio || 1);
    gl.uniform1f(this.uni.u_size, size);
    gl.uniform1f(this.uni.u_opacity, 0.9);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.STENCIL_TEST);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.drawArrays(gl.POINTS, 0, this.count);
    if (this.vao) gl.bindVertexArray(null);
    else for (const a of [a_pos, a_type, a_day, a_size]) gl.disableVertexAttribArray(a);
    this.drawn = { records: this.data, filter: this.filter };
  }
}
